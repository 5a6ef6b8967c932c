package sheet

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Number format codes excelize renders cells with, once isoDates has put
// them in place of the workbook's own formats. The locale prefix ([$-409],
// English) prints nothing; without one, excelize scans all its languages
// for every date cell, which made dates cost five times the rest.
const (
	isoDate     = "[$-409]yyyy-mm-dd"
	isoDateTime = `[$-409]yyyy-mm-dd"T"hh:mm:ss`
	isoTime     = "[$-409]hh:mm:ss"
)

type fmtKind int

const (
	kindNumber fmtKind = iota
	kindDate
	kindDateTime
	kindTime
	kindKeep // elapsed durations and text: rendered as the workbook says
)

// isoDates rewrites the workbook's cell styles, in memory, so that
// excelize's row iterator renders dates in ISO 8601 and numbers as plain
// decimals: a cell's style is not visible through the iterator, only
// through the value it formats. "12/03/2024" or "1 234,50 €" on screen
// would otherwise reach analysis in the workbook author's locale.
func isoDates(f *excelize.File) error {
	if _, err := f.GetStyle(0); err != nil && f.Styles == nil {
		return err
	}
	ss := f.Styles
	if ss == nil || ss.CellXfs == nil {
		return nil
	}
	custom := map[int]string{}
	if ss.NumFmts != nil {
		for _, nf := range ss.NumFmts.NumFmt {
			if nf == nil {
				continue
			}
			custom[nf.NumFmtID] = nf.FormatCode
			if nf.FormatCode16 != "" {
				custom[nf.NumFmtID] = nf.FormatCode16
			}
		}
	}
	// excelize registers the ISO formats through a style of each; the
	// number format id is all this needs from those styles.
	ids := map[fmtKind]int{}
	for k, code := range map[fmtKind]string{kindDate: isoDate, kindDateTime: isoDateTime, kindTime: isoTime} {
		style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
		if err != nil {
			return err
		}
		if style >= len(ss.CellXfs.Xf) || ss.CellXfs.Xf[style].NumFmtID == nil {
			return fmt.Errorf("style %d has no number format", style)
		}
		ids[k] = *ss.CellXfs.Xf[style].NumFmtID
	}
	for i := range ss.CellXfs.Xf {
		xf := &ss.CellXfs.Xf[i]
		id := 0 // General when absent
		if xf.NumFmtID != nil {
			id = *xf.NumFmtID
		}
		k := builtinKind(id)
		if code, ok := custom[id]; ok {
			k = codeKind(code)
		}
		switch k {
		case kindNumber:
			// Text ("@") renders the number as stored; General would
			// abbreviate large ones (1.23456789E+13).
			id = 49
		case kindDate, kindDateTime, kindTime:
			id = ids[k]
		}
		xf.NumFmtID = &id
	}
	return nil
}

// builtinKind classifies the formats every spreadsheet knows by number.
func builtinKind(id int) fmtKind {
	switch {
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id >= 34 && id <= 36, id >= 50 && id <= 58:
		return kindDate
	case id == 22:
		return kindDateTime
	case id >= 18 && id <= 21, id == 32, id == 33, id == 45, id == 47:
		return kindTime
	case id == 46, id == 49:
		return kindKeep
	}
	return kindNumber
}

// codeKind classifies a custom number format code by the date and time
// tokens of its first section, ignoring quoted text, escaped characters
// and bracketed colours or locales.
func codeKind(code string) fmtKind {
	if i := strings.IndexByte(code, ';'); i >= 0 {
		code = code[:i]
	}
	var y, d, m, h, s, text bool
	for i := 0; i < len(code); i++ {
		switch c := code[i] | 0x20; {
		case code[i] == '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case code[i] == '\\', code[i] == '_', code[i] == '*':
			i++
		case code[i] == '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				return kindNumber
			}
			switch strings.ToLower(code[i+1 : i+j]) {
			case "h", "hh", "m", "mm", "s", "ss":
				return kindKeep // an elapsed duration
			}
			i += j
		case code[i] == '@':
			text = true
		case c == 'g' && strings.HasPrefix(strings.ToLower(code[i:]), "general"):
			i += len("general") - 1
		case c == 'y':
			y = true
		case c == 'd':
			d = true
		case c == 'm':
			m = true
		case c == 'h':
			h = true
		case c == 's':
			s = true
		}
	}
	switch {
	case text:
		return kindKeep
	case y || d:
		if h || s {
			return kindDateTime
		}
		return kindDate
	case h || s:
		return kindTime
	case m:
		return kindDate // "mmmm": a month
	}
	return kindNumber
}
