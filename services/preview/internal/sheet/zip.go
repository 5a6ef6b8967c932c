package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// bombFloor is the size under which an entry's compression ratio is not
// checked: small XML parts legitimately compress a lot, and cannot hurt.
const bombFloor = 1 << 20

// oleMagic starts the OLE compound files that hold encrypted XLSX and old
// binary .xls workbooks.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// checkZip opens the workbook at path as a zip and refuses it before any
// decompression when its entries, as declared, exceed lim.MaxBytes in total
// or lim.MaxRatio each. archive/zip fails reading an entry past its declared
// size, so the declared sizes bound what is really decompressed.
func checkZip(path, kind string, lim Limits) (*zip.ReadCloser, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: not a %s file (%s)", ErrFormat, kind, notZipReason(path, err))
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(lim.MaxBytes) {
			zr.Close()
			return nil, fmt.Errorf("%w: %s decompresses to more than %d bytes", ErrLimit, kind, lim.MaxBytes)
		}
		if f.UncompressedSize64 > bombFloor {
			ratio := float64(f.UncompressedSize64) / float64(max(f.CompressedSize64, 1))
			if ratio > lim.MaxRatio {
				zr.Close()
				return nil, fmt.Errorf("%w: %s part %q expands %.0f times (more than %.0f): a zip bomb?", ErrLimit, kind, f.Name, ratio, lim.MaxRatio)
			}
		}
	}
	return zr, nil
}

// notZipReason says why a file that should be a zip is not one.
func notZipReason(path string, err error) string {
	f, oerr := os.Open(path)
	if oerr == nil {
		defer f.Close()
		head := make([]byte, len(oleMagic))
		if _, rerr := io.ReadFull(f, head); rerr == nil && bytes.Equal(head, oleMagic) {
			return "an encrypted workbook or an old binary .xls"
		}
	}
	return err.Error()
}
