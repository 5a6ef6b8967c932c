package searchindex

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sync/atomic"
	"time"

	"github.com/meilisearch/meilisearch-go"
)

// MeiliConfig locates a Meilisearch server and the index to use on it.
type MeiliConfig struct {
	URL    string `yaml:"url" usage:"meilisearch: server URL, e.g. http://localhost:7700"`
	APIKey string `yaml:"api_key" secret:"true" usage:"meilisearch: API key (master or admin key)"`
	// Index is the uid of the index. Open, which opens one index per kind of
	// document, uses it as a prefix: <index>_<kind>.
	Index string `yaml:"index" usage:"meilisearch: index uid, or prefix of the uids (default relais)"`
	// Timeout bounds each HTTP request.
	Timeout time.Duration `yaml:"timeout" usage:"meilisearch: timeout of each request (default 30s)"`
	// TaskTimeout bounds the wait for one asynchronous task (documents,
	// settings, swap); a settings change on a large index takes minutes.
	TaskTimeout time.Duration `yaml:"task_timeout" usage:"meilisearch: how long to wait for one indexing task (default 5m)"`
	// BatchSize is how many documents go in one indexing request.
	BatchSize int `yaml:"batch_size" usage:"meilisearch: documents per indexing request (default 1000)"`
	// MaxValuesPerFacet is how many values Meilisearch counts per facet;
	// FacetSize above it returns this many.
	MaxValuesPerFacet int `yaml:"max_values_per_facet" usage:"meilisearch: values counted per facet (default 100)"`
}

const (
	defaultMeiliTimeout     = 30 * time.Second
	defaultMeiliTaskTimeout = 5 * time.Minute
	defaultMeiliBatchSize   = 1000
	defaultMeiliFacetValues = 100
	// meiliTaskPoll is how often a task's status is read while waiting.
	meiliTaskPoll = 50 * time.Millisecond
)

// validIndexUID is Meilisearch's rule for index uids (up to 512 bytes);
// ours leave room for the "_rebuild_<n>" suffix of a rebuild.
var validIndexUID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,400}$`)

func (c MeiliConfig) withDefaults() MeiliConfig {
	if c.Timeout <= 0 {
		c.Timeout = defaultMeiliTimeout
	}
	if c.TaskTimeout <= 0 {
		c.TaskTimeout = defaultMeiliTaskTimeout
	}
	if c.BatchSize <= 0 {
		c.BatchSize = defaultMeiliBatchSize
	}
	if c.MaxValuesPerFacet <= 0 {
		c.MaxValuesPerFacet = defaultMeiliFacetValues
	}
	return c
}

// meili is the Index backend on a Meilisearch server. Documents are stored
// as flat JSON objects: the id (escaped, see meiliDocID), the searchable and
// filterable fields under their names, each sortable field as a number
// under <name>__sort, and the boost under relais__boost.
type meili struct {
	cfg        MeiliConfig
	schema     Schema
	settings   *meilisearch.Settings
	client     meilisearch.ServiceManager
	rebuilding atomic.Bool
}

// OpenMeilisearch opens the index cfg.Index on the server at cfg.URL,
// creating it when missing, and applies the settings the schema implies
// (searchable, filterable and sortable attributes, ranking rules, French
// stop words and synonyms, typo tolerance, faceting, pagination). A schema
// change updates the settings in place; documents indexed under the old
// schema keep its derived fields until a rebuild.
func OpenMeilisearch(ctx context.Context, cfg MeiliConfig, schema Schema) (Index, error) {
	cfg = cfg.withDefaults()
	if cfg.URL == "" {
		return nil, errors.New("open meilisearch: no URL")
	}
	if !validIndexUID.MatchString(cfg.Index) {
		return nil, fmt.Errorf("open meilisearch: index uid %q is not 1 to 400 letters, digits, - or _", cfg.Index)
	}
	settings, err := meiliSettings(schema, cfg)
	if err != nil {
		return nil, fmt.Errorf("open meilisearch index %s: %w", cfg.Index, err)
	}
	// An own transport: Close drops its idle connections only, and searches
	// in parallel keep theirs (http.DefaultTransport keeps 2 per host).
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	opts := []meilisearch.Option{meilisearch.WithCustomClient(&http.Client{Timeout: cfg.Timeout, Transport: transport})}
	if cfg.APIKey != "" {
		opts = append(opts, meilisearch.WithAPIKey(cfg.APIKey))
	}
	m := &meili{cfg: cfg, schema: schema, settings: settings, client: meilisearch.New(cfg.URL, opts...)}
	if err := m.prepare(ctx, cfg.Index); err != nil {
		m.client.Close()
		return nil, fmt.Errorf("open meilisearch index %s: %w", cfg.Index, err)
	}
	return m, nil
}

// prepare creates the index uid when missing and applies the settings.
func (m *meili) prepare(ctx context.Context, uid string) error {
	info, err := m.client.GetIndex(ctx, uid)
	switch {
	case isMeiliCode(err, meilisearch.APIErrCodeIndexNotFound):
		err := m.runTask(ctx, "create index", func(ctx context.Context) (*meilisearch.TaskInfo, error) {
			return m.client.CreateIndex(ctx, &meilisearch.IndexConfig{Uid: uid, PrimaryKey: meiliIDAttr})
		})
		// Another replica opening at the same time may have created it.
		var te *MeiliTaskError
		if err != nil && !(errors.As(err, &te) && te.Code == string(meilisearch.APIErrCodeIndexAlreadyExists)) {
			return err
		}
	case err != nil:
		return meiliErr("read index", err)
	case info.PrimaryKey != "" && info.PrimaryKey != meiliIDAttr:
		return fmt.Errorf("index has primary key %q, not %q: not one of ours", info.PrimaryKey, meiliIDAttr)
	}
	return m.runTask(ctx, "update settings", func(ctx context.Context) (*meilisearch.TaskInfo, error) {
		return m.client.Index(uid).UpdateSettings(ctx, m.settings)
	})
}

func (m *meili) Upsert(ctx context.Context, docs ...Document) error {
	return m.upsert(ctx, m.cfg.Index, docs)
}

func (m *meili) Delete(ctx context.Context, ids ...string) error {
	return m.delete(ctx, m.cfg.Index, ids)
}

// upsert adds or replaces docs in the index uid, BatchSize per request; it
// returns once Meilisearch has indexed them all, so that they are
// searchable, or with the error of the first failed batch.
func (m *meili) upsert(ctx context.Context, uid string, docs []Document) error {
	if len(docs) == 0 {
		return ctx.Err()
	}
	pk := meiliIDAttr
	var tasks []*meilisearch.TaskInfo
	for batch := range slices.Chunk(docs, m.cfg.BatchSize) {
		objects := make([]map[string]any, 0, len(batch))
		for _, d := range batch {
			o, err := meiliDocument(m.schema, d)
			if err != nil {
				return fmt.Errorf("upsert document %s: %w", d.ID, err)
			}
			objects = append(objects, o)
		}
		task, err := m.client.Index(uid).AddDocuments(ctx, objects, &meilisearch.DocumentOptions{PrimaryKey: &pk})
		if err != nil {
			return meiliErr(fmt.Sprintf("upsert %d documents", len(batch)), err)
		}
		tasks = append(tasks, task)
	}
	return m.waitAll(ctx, fmt.Sprintf("upsert %d documents", len(docs)), tasks)
}

// delete removes ids from the index uid, BatchSize per request.
func (m *meili) delete(ctx context.Context, uid string, ids []string) error {
	if len(ids) == 0 {
		return ctx.Err()
	}
	var tasks []*meilisearch.TaskInfo
	for batch := range slices.Chunk(ids, m.cfg.BatchSize) {
		keys := make([]string, 0, len(batch))
		for _, id := range batch {
			key, err := meiliDocID(id)
			if err != nil {
				return fmt.Errorf("delete document: %w", err)
			}
			keys = append(keys, key)
		}
		task, err := m.client.Index(uid).DeleteDocuments(ctx, keys, nil)
		if err != nil {
			return meiliErr(fmt.Sprintf("delete %d documents", len(batch)), err)
		}
		tasks = append(tasks, task)
	}
	return m.waitAll(ctx, fmt.Sprintf("delete %d documents", len(ids)), tasks)
}

func (m *meili) Count(ctx context.Context) (int, error) {
	stats, err := m.client.Index(m.cfg.Index).GetStats(ctx, nil)
	if err != nil {
		return 0, meiliErr("count documents", err)
	}
	return int(stats.NumberOfDocuments), nil
}

// Close releases idle connections; the index lives on in the server.
func (m *meili) Close() error {
	m.client.Close()
	return nil
}

// runTask sends a request that enqueues a task and waits for the task.
func (m *meili) runTask(ctx context.Context, what string, send func(context.Context) (*meilisearch.TaskInfo, error)) error {
	task, err := send(ctx)
	if err != nil {
		return meiliErr(what, err)
	}
	return m.waitAll(ctx, what, []*meilisearch.TaskInfo{task})
}

// waitAll waits for tasks in order (Meilisearch runs the tasks of one index
// in order) and turns the first failure into an error.
func (m *meili) waitAll(ctx context.Context, what string, tasks []*meilisearch.TaskInfo) error {
	for _, t := range tasks {
		if err := m.wait(ctx, t.TaskUID); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

// wait polls the task until it has finished, for at most TaskTimeout.
func (m *meili) wait(ctx context.Context, uid int64) error {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.TaskTimeout)
	defer cancel()
	task, err := m.client.WaitForTask(ctx, uid, meiliTaskPoll)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("meilisearch task %d not finished after %s: %w", uid, m.cfg.TaskTimeout, ctx.Err())
		}
		return meiliErr(fmt.Sprintf("wait for task %d", uid), err)
	}
	if task.Status != meilisearch.TaskStatusSucceeded {
		return &MeiliTaskError{UID: uid, Type: string(task.Type), Status: string(task.Status),
			Code: string(task.Error.Code), Message: task.Error.Message}
	}
	return nil
}

// MeiliTaskError is a Meilisearch task that failed or was canceled.
type MeiliTaskError struct {
	UID           int64
	Type, Status  string
	Code, Message string
}

func (e *MeiliTaskError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("meilisearch task %d (%s) %s", e.UID, e.Type, e.Status)
	}
	return fmt.Sprintf("meilisearch task %d (%s) %s: %s (%s)", e.UID, e.Type, e.Status, e.Message, e.Code)
}

// meiliErr turns an error of the Meilisearch client into one that says
// what failed in a line: the API's error, an HTTP status without one, a
// timeout or an unreachable server.
func meiliErr(what string, err error) error {
	var me *meilisearch.Error
	if !errors.As(err, &me) {
		return fmt.Errorf("meilisearch %s: %w", what, err)
	}
	where := me.Method + " " + me.Endpoint
	switch me.ErrCode {
	case meilisearch.APIError:
		return fmt.Errorf("meilisearch %s: %s answered %d: %s (%s)", what, where, me.StatusCode, me.APIError.Message, me.APIError.Code)
	case meilisearch.APIErrorWithoutMessage:
		return fmt.Errorf("meilisearch %s: %s answered %d: %.200s", what, where, me.StatusCode, me.ResponseToString)
	case meilisearch.TimeoutError:
		return fmt.Errorf("meilisearch %s: %s timed out: %w", what, where, me.OriginError)
	case meilisearch.MaxRetriesExceeded:
		return fmt.Errorf("meilisearch %s: %s still unavailable after retries", what, where)
	case meilisearch.CommunicationError:
		return fmt.Errorf("meilisearch %s: %s unreachable: %w", what, where, me.OriginError)
	default:
		return fmt.Errorf("meilisearch %s: %s: %w", what, where, err)
	}
}

// isMeiliCode says whether err is a Meilisearch API error with code.
func isMeiliCode(err error, code meilisearch.APIErrCode) bool {
	var me *meilisearch.Error
	return errors.As(err, &me) && me.APIError.Code == code
}
