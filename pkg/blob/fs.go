package blob

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"syscall"
	"time"
)

// copyBufferSize is the size of the buffer Put streams through.
const copyBufferSize = 1 << 20

// fsStore keeps objects as files under a directory; see the package
// documentation for the layout. Every path goes through an os.Root.
type fsStore struct {
	root *os.Root
}

func openFS(dir string) (*fsStore, error) {
	if dir == "" {
		return nil, errors.New("dir is not set")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &fsStore{root: root}, nil
}

func (s *fsStore) Put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) (Info, error) {
	info, err := s.put(ctx, key, r, size, opts)
	if err != nil {
		return Info{}, fmt.Errorf("blob fs: put %q: %w", key, err)
	}
	return info, nil
}

func (s *fsStore) put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, err
	}
	opts, err := normalizePutOptions(opts)
	if err != nil {
		return Info{}, err
	}
	if size < -1 {
		return Info{}, fmt.Errorf("%w: size %d", ErrInvalidOptions, size)
	}
	dir := path.Dir(key)
	f, tmp, created, err := s.createTemp(dir)
	if err != nil {
		return Info{}, err
	}
	committed := false
	defer func() {
		if !committed {
			_ = f.Close()
			_ = s.root.Remove(tmp)
		}
	}()

	pr := newPutReader(ctx, r, size)
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(f, h), pr, make([]byte, copyBufferSize))
	if err != nil {
		return Info{}, pr.cause(err)
	}
	t := trailer{Size: n, ETag: hex.EncodeToString(h.Sum(nil)[:16]), ContentType: opts.ContentType, Metadata: opts.Metadata}
	tail, err := appendTrailer(nil, t)
	if err != nil {
		return Info{}, err
	}
	if _, err := f.Write(tail); err != nil {
		return Info{}, fmt.Errorf("write trailer: %w", err)
	}
	if err := f.Sync(); err != nil {
		return Info{}, fmt.Errorf("fsync: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		return Info{}, err
	}
	if err := f.Close(); err != nil {
		return Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	if err := s.root.Rename(tmp, key); err != nil {
		if errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.ENOTEMPTY) {
			return Info{}, fmt.Errorf("%w: %q is already a prefix of other keys", ErrInvalidKey, key)
		}
		return Info{}, fmt.Errorf("commit: %w", err)
	}
	committed = true
	if err := s.syncDirs(dir, created); err != nil {
		return Info{}, err
	}
	return Info{Key: key, Size: n, ETag: t.ETag, ContentType: t.ContentType, ModTime: fi.ModTime(), Metadata: t.Metadata}, nil
}

// createTemp creates a temporary file in dir, creating dir when missing,
// and reports whether it created directories. A concurrent Delete may
// remove a directory as empty between its creation and the file's (or
// between a parent's creation and a child's): then it tries again.
func (s *fsStore) createTemp(dir string) (f *os.File, name string, created bool, err error) {
	for range 10 {
		name = path.Join(dir, ".tmp-"+rand.Text())
		f, err = s.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			return f, name, created, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err = s.root.MkdirAll(dir, 0o755); err != nil && !errors.Is(err, fs.ErrNotExist) {
			break
		}
		created = true
	}
	if errors.Is(err, syscall.ENOTDIR) {
		return nil, "", false, fmt.Errorf("%w: a prefix of the key is already an object", ErrInvalidKey)
	}
	return nil, "", false, fmt.Errorf("create temporary file: %w", err)
}

// syncDirs makes a rename in dir durable, and the creation of dir and its
// parents when Put created them. A directory that no longer exists held an
// object that a concurrent Delete removed: there is nothing to sync there.
func (s *fsStore) syncDirs(dir string, created bool) error {
	for {
		if err := s.syncDir(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if !created || dir == "." {
			return nil
		}
		dir = path.Dir(dir)
	}
}

func (s *fsStore) syncDir(dir string) error {
	d, err := s.root.Open(dir)
	if err != nil {
		return fmt.Errorf("fsync directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync directory: %w", err)
	}
	return nil
}

func (s *fsStore) Get(ctx context.Context, key string, rng *Range) (io.ReadCloser, Info, error) {
	rc, info, err := s.get(key, rng)
	if err != nil {
		return nil, Info{}, fmt.Errorf("blob fs: get %q: %w", key, err)
	}
	return rc, info, nil
}

func (s *fsStore) get(key string, rng *Range) (io.ReadCloser, Info, error) {
	f, info, err := s.open(key)
	if err != nil {
		return nil, Info{}, err
	}
	off, n, err := checkRange(rng, info.Size)
	if err == nil && off > 0 {
		_, err = f.Seek(off, io.SeekStart)
	}
	if err != nil {
		_ = f.Close()
		return nil, Info{}, err
	}
	return &fileReader{f: f, lr: &io.LimitedReader{R: f, N: n}}, info, nil
}

// open opens the object file of key and reads its Info.
func (s *fsStore) open(key string) (*os.File, Info, error) {
	if err := ValidateKey(key); err != nil {
		return nil, Info{}, err
	}
	f, err := s.root.Open(key)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil, Info{}, ErrNotFound
		}
		return nil, Info{}, err
	}
	info, err := fileInfo(f, key)
	if err != nil {
		_ = f.Close()
		return nil, Info{}, err
	}
	return f, info, nil
}

// fileReader reads a range of an object file. Its WriteTo hands the file to
// the writer's ReadFrom, so a copy to a socket can use sendfile.
type fileReader struct {
	f  *os.File
	lr *io.LimitedReader
}

func (r *fileReader) Read(p []byte) (int, error)         { return r.lr.Read(p) }
func (r *fileReader) WriteTo(w io.Writer) (int64, error) { return io.Copy(w, r.lr) }
func (r *fileReader) Close() error                       { return r.f.Close() }

func (s *fsStore) Stat(ctx context.Context, key string) (Info, error) {
	f, info, err := s.open(key)
	if err != nil {
		return Info{}, fmt.Errorf("blob fs: stat %q: %w", key, err)
	}
	_ = f.Close()
	return info, nil
}

func (s *fsStore) Delete(ctx context.Context, key string) error {
	if err := s.delete(key); err != nil {
		return fmt.Errorf("blob fs: delete %q: %w", key, err)
	}
	return nil
}

func (s *fsStore) delete(key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	fi, err := s.root.Lstat(key)
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		return nil
	case err != nil:
		return err
	case fi.IsDir():
		return nil // key is only a prefix of other keys
	}
	if err := s.root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	// Remove the directories the object leaves empty. A Put racing to
	// create a file in one of them retries (see createTemp).
	dir := path.Dir(key)
	for dir != "." && s.root.Remove(dir) == nil {
		dir = path.Dir(dir)
	}
	if err := s.syncDir(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func (s *fsStore) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if err := validatePrefix(prefix); err != nil {
		return fmt.Errorf("blob fs: list: %w", err)
	}
	start := "."
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		start = prefix[:i]
	}
	return s.walk(ctx, start, prefix, fn)
}

// walk lists dir in key order: a directory d sorts as "d/", so that "a/b"
// comes after "a.txt" as it does among S3 keys.
func (s *fsStore) walk(ctx context.Context, dir, prefix string, fn func(Info) error) error {
	entries, err := fs.ReadDir(s.root.FS(), dir)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("blob fs: list %q: %w", prefix, err)
	}
	type entry struct {
		key, sortKey string
		dir          bool
	}
	var todo []entry
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || !(e.IsDir() || e.Type().IsRegular()) {
			continue // temporary files, and anything Put did not create
		}
		key := path.Join(dir, e.Name())
		switch {
		case e.IsDir() && (strings.HasPrefix(key+"/", prefix) || strings.HasPrefix(prefix, key+"/")):
			todo = append(todo, entry{key, key + "/", true})
		case !e.IsDir() && strings.HasPrefix(key, prefix):
			todo = append(todo, entry{key, key, false})
		}
	}
	slices.SortFunc(todo, func(a, b entry) int { return cmp.Compare(a.sortKey, b.sortKey) })
	for _, e := range todo {
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.dir {
			if err := s.walk(ctx, e.key, prefix, fn); err != nil {
				return err
			}
			continue
		}
		f, info, err := s.open(e.key)
		if errors.Is(err, ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return fmt.Errorf("blob fs: list %q: %w", e.key, err)
		}
		_ = f.Close()
		if err := fn(info); err != nil {
			return err
		}
	}
	return nil
}

func (s *fsStore) PresignGet(ctx context.Context, key string, ttl time.Duration, opts PresignOptions) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", fmt.Errorf("blob fs: presign %q: %w", key, err)
	}
	return "", fmt.Errorf("blob fs: presign %q: %w (serve the object through the portal)", key, ErrNotSupported)
}
