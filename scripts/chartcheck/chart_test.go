package chartcheck

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/yannh/kubeconform/pkg/validator"
	"golang.org/x/mod/modfile"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"

	"github.com/relais-data/relais/scripts/chartcheck/internal/k8sschema"
)

// values.schema.json and the chart's own checks refuse bad values with a
// message that says what is wrong.
func TestBadValuesAreRefused(t *testing.T) {
	distributed := []string{scenarioFile(t, "distributed.yaml")}
	for _, tc := range []struct {
		name  string
		files []string
		set   []string
		want  string
	}{
		{"unknown mode", nil, []string{"mode=cluster"}, "/mode"},
		{"unknown top-level key", nil, []string{"replicas=2"}, "replicas"},
		{"typo in defaults", nil, []string{"defaults.replica=2"}, "replica"},
		{"replicas not a number", nil, []string{"targets.gateway.replicas=two"}, "/targets/gateway/replicas"},
		{"admin is the chart's port", nil, []string{"targets.catalog.ports.admin=9090"}, "propertyName 'admin'"},
		{"bad digest", nil, []string{"image.digest=latest"}, "/image/digest"},
		{"even stream replicas", nil, []string{"events.streamReplicas=2"}, "/events/streamReplicas"},
		{"unknown need", nil, []string{"targets.catalog.needs={redis}"}, "/targets/catalog/needs"},
		{"distributed without NATS", distributed, []string{"nats.enabled=false"}, "events.url"},
		{"distributed without PostgreSQL", distributed, []string{"postgresql.enabled=false"}, "database.existingSecret"},
		{"distributed without token secret", distributed, []string{"tokenSecret.value="}, "tokenSecret.existingSecret"},
		{"a call to no target", distributed, []string{"targets.gateway.calls={mailer}"}, `no target "mailer"`},
		{"embedded search index on an existing claim", distributed, []string{"targets.search.persistence.existingClaim=search"}, "volume per search pod"},
		{"preview and analytics without a service user", distributed, []string{"serviceUser.value="}, "serviceUser.existingSecret"},
		{"harvest alone without a service user", distributed, []string{"serviceUser.value=", "targets.preview.enabled=false", "targets.analytics.enabled=false"}, "targets.harvest write to the catalog"},
		{"a harvest allow-list entry with a space", nil, []string{"harvest.fetch.allow={a b}"}, "/harvest/fetch/allow"},
		{"an ack wait that is no duration", nil, []string{"preview.ackWait=10"}, "/preview/ackWait"},
		{"an analytics ack wait that is no duration", nil, []string{"analytics.ackWait=soon"}, "/analytics/ackWait"},
		{"preview without storage", distributed, []string{"targets.storage.enabled=false"}, "enable targets.storage"},
		{"a fetch allow-list entry with a comma", nil, []string{"preview.fetch.allow={a\\,b}"}, "/preview/fetch/allow"},
		{"storage without S3", distributed, []string{"objectStorage.endpoint="}, "objectStorage.endpoint"},
		{"S3 endpoint with a path", nil, []string{"objectStorage.endpoint=https://s3.example.org/bucket"}, "/objectStorage/endpoint"},
		{"unknown download mode", nil, []string{"objectStorage.downloads=stream"}, "/objectStorage/downloads"},
		{"storage DSN not PostgreSQL", nil, []string{"storageDatabase.dsn=mysql://x"}, "/storageDatabase/dsn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := render(t, tc.files, tc.set...)
			if err == nil {
				t.Fatalf("rendered with %v", tc.set)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestAllInOne(t *testing.T) {
	ms := renderStrict(t, []string{scenarioFile(t, "all-in-one.yaml")})
	deps := ofKind[*appsv1.Deployment](ms)
	if len(deps) != 1 {
		t.Fatalf("allInOne renders %d Deployments: %v", len(deps), names(deps))
	}
	d := deps[0]
	if *d.Spec.Replicas != 1 || d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("the one pod owns a RWO volume: want 1 replica and Recreate, got %d, %s", *d.Spec.Replicas, d.Spec.Strategy.Type)
	}
	env := envOf(d.Spec.Template.Spec.Containers[0])
	for k, want := range map[string]string{
		"RELAIS_TARGET":                "all",
		"RELAIS_ADMIN_ADDR":            ":9090",
		"RELAIS_CATALOG_GRPC_ADDR":     ":9091",
		"RELAIS_DATA_DIR":              "/data",
		"RELAIS_GATEWAY_PUBLIC_URL":    "https://data.example-region.fr",
		"RELAIS_CATALOG_TOKEN_SECRET":  "secret:r-relais-secrets/token-secret",
		"RELAIS_STORAGE_SERVICE_TOKEN": "secret:r-relais-secrets/storage-token",
	} {
		if env[k] != want {
			t.Errorf("env %s = %q, want %q", k, env[k], want)
		}
	}
	for k := range env {
		if k == "RELAIS_EVENTS_URL" || strings.HasPrefix(k, "RELAIS_STORAGE_BLOB_") || strings.HasPrefix(k, "RELAIS_STORAGE_DB_") {
			t.Errorf("allInOne embeds NATS and keeps its files and databases in the data directory: %s set", k)
		}
	}
	claim := ""
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Name == "data" && v.PersistentVolumeClaim != nil {
			claim = v.PersistentVolumeClaim.ClaimName
		}
	}
	pvc := mustFind(t, ofKind[*corev1.PersistentVolumeClaim](ms), claim)
	if pvc.Annotations["helm.sh/resource-policy"] != "keep" {
		t.Error("the data volume must outlive helm uninstall")
	}
	// The uploaded files and the storage database are in the data directory,
	// on the PVC, as the binary resolves them.
	bin, err := relaisBinary()
	if err != nil {
		t.Fatal(err)
	}
	c := d.Spec.Template.Spec.Containers[0]
	res := runConfig(t, bin, d.Spec.Template.Spec, c, configMapsOf(ms))
	if res.err != nil {
		t.Fatalf("relais config: %v\n%s", res.err, res.stderr)
	}
	mount := ""
	for _, vm := range c.VolumeMounts {
		if vm.Name == "data" {
			mount = vm.MountPath
		}
	}
	for _, key := range [][]string{{"data_dir"}, {"storage", "blob", "dir"}} {
		if p, _ := dig(res.printed, key...).(string); mount == "" || (p != mount && !strings.HasPrefix(p, mount+"/")) {
			t.Errorf("%s = %q is not on the data volume (mounted at %q)", strings.Join(key, "."), p, mount)
		}
	}
	if b := dig(res.printed, "storage", "blob", "backend"); b != "fs" {
		t.Errorf("allInOne keeps files on the PVC: storage.blob.backend %v", b)
	}
	defaults := renderStrict(t, []string{scenarioFile(t, "all-in-one-defaults.yaml")})
	if _, ok := envOf(ofKind[*appsv1.Deployment](defaults)[0].Spec.Template.Spec.Containers[0])["RELAIS_STORAGE_SERVICE_TOKEN"]; ok {
		t.Error("allInOne without storageToken: the pod makes its token on its volume")
	}
	if _, ok := envOf(ofKind[*appsv1.Deployment](defaults)[0].Spec.Template.Spec.Containers[0])["RELAIS_GATEWAY_SESSION_KEY"]; ok {
		t.Error("allInOne without sessionKey: the pod makes its key on its volume")
	}
	if n := len(ofKind[*corev1.Secret](defaults)); n != 0 {
		t.Errorf("allInOne defaults: %d Secrets, want none", n)
	}
	if len(ofKind[*autoscalingv2.HorizontalPodAutoscaler](ms))+len(ofKind[*policyv1.PodDisruptionBudget](ms))+len(ofKind[*batchv1.Job](ms)) != 0 {
		t.Error("allInOne: no HPA, PDB or migration Job (one SQLite pod migrates at start)")
	}
	svc := mustFind(t, ofKind[*corev1.Service](ms), "r-relais")
	var ports []string
	for _, p := range svc.Spec.Ports {
		ports = append(ports, p.Name)
	}
	slices.Sort(ports)
	if !slices.Equal(ports, []string{"admin", "grpc", "http"}) {
		t.Errorf("Service ports %v", ports)
	}
}

func TestDistributed(t *testing.T) {
	ms := renderStrict(t, []string{scenarioFile(t, "distributed.yaml")})
	deps := ofKind[*appsv1.Deployment](ms)
	if got := names(deps); !slices.Equal(got, []string{"r-relais-analytics", "r-relais-catalog", "r-relais-gateway", "r-relais-harvest", "r-relais-preview", "r-relais-storage"}) {
		t.Fatalf("Deployments %v (search, embedded, is a StatefulSet)", got)
	}
	catalog := mustFind(t, deps, "r-relais-catalog")
	gateway := mustFind(t, deps, "r-relais-gateway")
	storage := mustFind(t, deps, "r-relais-storage")
	if *catalog.Spec.Replicas != 2 {
		t.Errorf("targets.catalog.replicas: got %d", *catalog.Spec.Replicas)
	}
	if gateway.Spec.Replicas != nil {
		t.Error("an autoscaled Deployment leaves replicas to its HPA")
	}
	hpa := mustFind(t, ofKind[*autoscalingv2.HorizontalPodAutoscaler](ms), "r-relais-gateway")
	if hpa.Spec.MaxReplicas != 8 || len(hpa.Spec.Metrics) != 2 {
		t.Errorf("gateway HPA: max %d, %d metrics", hpa.Spec.MaxReplicas, len(hpa.Spec.Metrics))
	}
	if got := names(ofKind[*policyv1.PodDisruptionBudget](ms)); !slices.Equal(got, []string{"r-relais-analytics", "r-relais-catalog", "r-relais-gateway", "r-relais-harvest", "r-relais-preview", "r-relais-search", "r-relais-storage"}) {
		t.Errorf("PDBs (defaults.podDisruptionBudget for every target): %v", got)
	}
	cenv := envOf(catalog.Spec.Template.Spec.Containers[0])
	for k, want := range map[string]string{
		"RELAIS_TARGET":               "catalog",
		"RELAIS_CATALOG_GRPC_ADDR":    ":9091",
		"RELAIS_EVENTS_URL":           "nats://r-nats:4222",
		"RELAIS_EVENTS_REPLICAS":      "3",
		"RELAIS_CATALOG_DB_DRIVER":    "postgres",
		"RELAIS_CATALOG_DB_DSN":       "postgres://relais:$(PG_PASSWORD)@r-postgresql:5432/relais?sslmode=disable",
		"PG_PASSWORD":                 "secret:r-postgresql/password",
		"RELAIS_CATALOG_TOKEN_SECRET": "secret:r-relais-secrets/token-secret",
	} {
		if cenv[k] != want {
			t.Errorf("catalog env %s = %q, want %q", k, cenv[k], want)
		}
	}
	senv := envOf(storage.Spec.Template.Spec.Containers[0])
	for k, want := range map[string]string{
		"RELAIS_TARGET":                        "storage",
		"RELAIS_STORAGE_GRPC_ADDR":             ":9092",
		"RELAIS_EVENTS_URL":                    "nats://r-nats:4222",
		"RELAIS_STORAGE_DB_DRIVER":             "postgres",
		"RELAIS_STORAGE_DB_DSN":                "postgres://relais:$(PG_PASSWORD)@r-postgresql:5432/relais?sslmode=disable",
		"PG_PASSWORD":                          "secret:r-postgresql/password",
		"RELAIS_STORAGE_SERVICE_TOKEN":         "secret:r-relais-secrets/storage-token",
		"RELAIS_STORAGE_BLOB_BACKEND":          "s3",
		"RELAIS_STORAGE_BLOB_S3_ENDPOINT":      "http://minio.minio:9000",
		"RELAIS_STORAGE_BLOB_S3_BUCKET":        "relais-staging",
		"RELAIS_STORAGE_BLOB_S3_ACCESS_KEY":    "secret:r-relais-secrets/s3-access-key",
		"RELAIS_STORAGE_BLOB_S3_SECRET_KEY":    "secret:r-relais-secrets/s3-secret-key",
		"RELAIS_STORAGE_BLOB_S3_CREATE_BUCKET": "true",
	} {
		if senv[k] != want {
			t.Errorf("storage env %s = %q, want %q", k, senv[k], want)
		}
	}
	if _, ok := senv["RELAIS_CATALOG_TOKEN_SECRET"]; ok {
		t.Error("the storage service gets no catalog token secret")
	}
	genv := envOf(gateway.Spec.Template.Spec.Containers[0])
	for k, want := range map[string]string{
		"RELAIS_GATEWAY_CATALOG_ADDR":   "dns:///r-relais-catalog-headless:9091",
		"RELAIS_GATEWAY_STORAGE_ADDR":   "dns:///r-relais-storage-headless:9092",
		"RELAIS_GATEWAY_S3_DOWNLOADS":   "proxy",
		"RELAIS_STORAGE_SERVICE_TOKEN":  senv["RELAIS_STORAGE_SERVICE_TOKEN"],
		"RELAIS_SEARCH_ADDR":            "dns:///r-relais-search-headless:9094",
		"RELAIS_GATEWAY_PREVIEW_ADDR":   "dns:///r-relais-preview-headless:9096",
		"RELAIS_GATEWAY_ANALYTICS_ADDR": "dns:///r-relais-analytics-headless:9095",
		"RELAIS_EVENTS_URL":             "nats://r-nats:4222",
		"RELAIS_GATEWAY_SESSION_KEY":    "secret:r-relais-secrets/session-key",
	} {
		if genv[k] != want {
			t.Errorf("gateway env %s = %q, want %q", k, genv[k], want)
		}
	}
	for k := range genv {
		if strings.Contains(k, "DB_DSN") || strings.Contains(k, "TOKEN_SECRET") || strings.Contains(k, "PASSWORD") || strings.Contains(k, "BLOB") {
			t.Errorf("the gateway gets no database, token secret or object store keys, got %s", k)
		}
	}
	checkNewTargets(t, ms, deps)
	// Every gRPC target has a headless Service (its callers' round robin),
	// with the gRPC port only: the ServiceMonitor scrapes pods once.
	var headless []string
	for _, svc := range ofKind[*corev1.Service](ms) {
		if svc.Spec.ClusterIP != corev1.ClusterIPNone || svc.Labels["app.kubernetes.io/name"] != "relais" {
			continue
		}
		headless = append(headless, svc.Name)
		if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Name != "grpc" {
			t.Errorf("headless Service %s ports %v, want grpc only", svc.Name, svc.Spec.Ports)
		}
	}
	slices.Sort(headless)
	if want := []string{"r-relais-analytics-headless", "r-relais-catalog-headless", "r-relais-harvest-headless", "r-relais-preview-headless", "r-relais-search-headless", "r-relais-storage-headless"}; !slices.Equal(headless, want) {
		t.Errorf("headless Services %v, want %v", headless, want)
	}
	// The chart generates the storage token when none is given, once per
	// rendering: the Secret and every pod's checksum agree.
	secret := mustFind(t, ofKind[*corev1.Secret](ms), "r-relais-secrets")
	if len(secret.Data["storage-token"]) < 32 {
		t.Errorf("the chart's Secret holds no generated storage token: %q", secret.Data["storage-token"])
	}
	if key, err := base64.StdEncoding.DecodeString(string(secret.Data["session-key"])); err != nil || len(key) != 32 {
		t.Errorf("the chart's Secret holds no generated session key of 32 bytes: %q (%v)", secret.Data["session-key"], err)
	}
	sums := map[string]bool{}
	for _, d := range deps {
		sums[d.Spec.Template.Annotations["checksum/secret"]] = true
	}
	if len(sums) != 1 || sums[""] {
		t.Errorf("every pod reads the chart's Secret: one checksum/secret, got %v", sums)
	}
	mustFind(t, ofKind[*appsv1.StatefulSet](ms), "r-nats")
	mustFind(t, ofKind[*appsv1.StatefulSet](ms), "r-postgresql")
}

// checkEmbeddedSearch checks the search StatefulSet of the embedded index:
// replicas, a volume per pod from its claim template, and per pod a
// durable consumer named after it and a SQLite ledger on that volume.
func checkEmbeddedSearch(t *testing.T, ms []manifest, replicas int32) {
	t.Helper()
	search := mustFind(t, ofKind[*appsv1.StatefulSet](ms), "r-relais-search")
	if *search.Spec.Replicas != replicas || search.Spec.ServiceName != "r-relais-search-headless" ||
		search.Spec.PodManagementPolicy != appsv1.ParallelPodManagement {
		t.Errorf("embedded search index: replicas %d (want %d), serviceName %q, podManagementPolicy %s",
			*search.Spec.Replicas, replicas, search.Spec.ServiceName, search.Spec.PodManagementPolicy)
	}
	for _, v := range search.Spec.Template.Spec.Volumes {
		if v.Name == "data" {
			t.Errorf("search data volume must come from the claim template, got %+v", v)
		}
	}
	if n := len(search.Spec.VolumeClaimTemplates); n != 1 || search.Spec.VolumeClaimTemplates[0].Name != "data" {
		t.Errorf("search volumeClaimTemplates: %d", n)
	}
	if n := len(ofKind[*corev1.PersistentVolumeClaim](ms)); n != 0 {
		t.Errorf("embedded search: %d stand-alone PVCs, want none (one per pod from the template)", n)
	}
	c := search.Spec.Template.Spec.Containers[0]
	env := envOf(c)
	for k, v := range map[string]string{
		"RELAIS_SEARCH_GRPC_ADDR": ":9094", "RELAIS_SEARCH_CATALOG_ADDR": "dns:///r-relais-catalog-headless:9091",
		"RELAIS_SEARCH_DURABLE": "search-index-$(POD_NAME)", "RELAIS_SEARCH_DB_DRIVER": "sqlite", "RELAIS_SEARCH_DB_DSN": "/data/search.db",
		"RELAIS_SEARCH_INDEX_BACKEND": "embedded", "RELAIS_SEARCH_INDEX_DIR": "/data/search",
		"RELAIS_SEARCH_SERVICE_TOKEN": "secret:r-relais-secrets/storage-token",
	} {
		if env[k] != v {
			t.Errorf("r-relais-search env %s = %q, want %q", k, env[k], v)
		}
	}
	pod := slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "POD_NAME" })
	durable := slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "RELAIS_SEARCH_DURABLE" })
	if pod < 0 || c.Env[pod].ValueFrom == nil || c.Env[pod].ValueFrom.FieldRef == nil || c.Env[pod].ValueFrom.FieldRef.FieldPath != "metadata.name" || pod > durable {
		t.Error("POD_NAME must come from metadata.name, before RELAIS_SEARCH_DURABLE uses it")
	}
}

// Two replicas of the embedded search index: each pod its own durable,
// ledger and volume, behind a disruption budget.
func TestEmbeddedSearchReplicas(t *testing.T) {
	ms := renderStrict(t, []string{scenarioFile(t, "distributed-search-replicas.yaml")})
	checkEmbeddedSearch(t, ms, 2)
	search := mustFind(t, ofKind[*appsv1.StatefulSet](ms), "r-relais-search")
	if got := search.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests.Storage().String(); got != "3Gi" {
		t.Errorf("search volume size %s", got)
	}
	mustFind(t, ofKind[*policyv1.PodDisruptionBudget](ms), "r-relais-search")
	// Autoscaled, the HPA scales the StatefulSet.
	auto := renderStrict(t, []string{scenarioFile(t, "distributed-search-replicas.yaml")}, "targets.search.autoscaling.enabled=true")
	hpa := mustFind(t, ofKind[*autoscalingv2.HorizontalPodAutoscaler](auto), "r-relais-search")
	if hpa.Spec.ScaleTargetRef.Kind != "StatefulSet" || hpa.Spec.ScaleTargetRef.Name != "r-relais-search" {
		t.Errorf("search HPA targets %s %s", hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name)
	}
}

// The migration Job is a Helm hook that runs `relais migrate` before the
// new pods: pre-install with an external database, post-install with the
// bundled one (it is part of the release); always pre-upgrade.
func TestMigrationJobIsAHook(t *testing.T) {
	for _, tc := range []struct{ scenario, hook string }{
		{"distributed-external-secrets.yaml", "pre-install,pre-upgrade"},
		{"distributed.yaml", "post-install,pre-upgrade"},
	} {
		ms := renderStrict(t, []string{scenarioFile(t, tc.scenario)})
		job := mustFind(t, ofKind[*batchv1.Job](ms), "r-relais-migrate")
		if got := job.Annotations["helm.sh/hook"]; got != tc.hook {
			t.Errorf("%s: helm.sh/hook %q, want %q", tc.scenario, got, tc.hook)
		}
		if !strings.Contains(job.Annotations["helm.sh/hook-delete-policy"], "before-hook-creation") {
			t.Errorf("%s: the Job must be replaced on the next upgrade", tc.scenario)
		}
		c := job.Spec.Template.Spec.Containers[0]
		if !slices.Equal(c.Args, []string{"migrate"}) {
			t.Errorf("%s: args %v", tc.scenario, c.Args)
		}
		for _, k := range []string{"RELAIS_CATALOG_DB_DSN", "RELAIS_STORAGE_DB_DSN", "RELAIS_SEARCH_DB_DSN", "RELAIS_PREVIEW_DB_DSN", "RELAIS_ANALYTICS_DB_DSN", "RELAIS_HARVEST_DB_DSN"} {
			if _, ok := envOf(c)[k]; !ok {
				t.Errorf("%s: the Job migrates the database of every enabled target: no %s", tc.scenario, k)
			}
		}
		for _, m := range ms {
			s, ok := m.Obj.(*corev1.Secret)
			if !ok || s.Labels["app.kubernetes.io/name"] != "relais" {
				continue
			}
			// The chart's own Secret is read by the Job: it must exist first.
			if !strings.Contains(s.Annotations["helm.sh/hook"], "pre-install") || s.Annotations["helm.sh/hook-weight"] >= job.Annotations["helm.sh/hook-weight"] {
				t.Errorf("%s: Secret %s must be a pre-install hook weighing less than the Job", tc.scenario, s.Name)
			}
		}
	}
}

// checkNewTargets checks the search, preview, analytics and harvest pods of the
// distributed scenario: their addresses, database, secrets; the embedded
// search index a StatefulSet whose pods each have a volume, a SQLite
// ledger and a durable consumer of their own.
func checkNewTargets(t *testing.T, ms []manifest, deps []*appsv1.Deployment) {
	t.Helper()
	checkEmbeddedSearch(t, ms, 1)
	dsn := "postgres://relais:$(PG_PASSWORD)@r-postgresql:5432/relais?sslmode=disable"
	for pod, want := range map[string]map[string]string{
		"r-relais-preview": {
			"RELAIS_PREVIEW_GRPC_ADDR": ":9096", "RELAIS_PREVIEW_CATALOG_ADDR": "dns:///r-relais-catalog-headless:9091",
			"RELAIS_PREVIEW_STORAGE_ADDR": "dns:///r-relais-storage-headless:9092", "RELAIS_PREVIEW_DB_DSN": dsn,
			"RELAIS_STORAGE_SERVICE_TOKEN":   "secret:r-relais-secrets/storage-token",
			"RELAIS_PREVIEW_CATALOG_API_KEY": "secret:r-relais-secrets/service-user-token",
			"RELAIS_PREVIEW_PUBLIC_URL":      "https://staging.relais.example.org",
			"RELAIS_PREVIEW_ACK_WAIT":        "1m",
		},
		"r-relais-analytics": {
			"RELAIS_ANALYTICS_GRPC_ADDR": ":9095", "RELAIS_ANALYTICS_CATALOG_ADDR": "dns:///r-relais-catalog-headless:9091",
			"RELAIS_ANALYTICS_DB_DSN":          dsn,
			"RELAIS_ANALYTICS_CATALOG_API_KEY": "secret:r-relais-secrets/service-user-token",
			"RELAIS_ANALYTICS_ACK_WAIT":        "30s",
		},
		"r-relais-harvest": {
			"RELAIS_HARVEST_GRPC_ADDR": ":9097", "RELAIS_HARVEST_CATALOG_ADDR": "dns:///r-relais-catalog-headless:9091",
			"RELAIS_HARVEST_DB_DRIVER": "postgres", "RELAIS_HARVEST_DB_DSN": dsn,
			"RELAIS_HARVEST_CATALOG_API_KEY": "secret:r-relais-secrets/service-user-token",
			"RELAIS_EVENTS_URL":              "nats://r-nats:4222",
		},
	} {
		env := envOf(mustFind(t, deps, pod).Spec.Template.Spec.Containers[0])
		for k, v := range want {
			if env[k] != v {
				t.Errorf("%s env %s = %q, want %q", pod, k, env[k], v)
			}
		}
	}
	// With Meilisearch, search scales: no volume, its key from the Secret.
	ext := renderStrict(t, []string{scenarioFile(t, "distributed-external-secrets.yaml")})
	es := mustFind(t, ofKind[*appsv1.Deployment](ext), "r-relais-search")
	env := envOf(es.Spec.Template.Spec.Containers[0])
	if *es.Spec.Replicas != 2 || env["RELAIS_SEARCH_INDEX_BACKEND"] != "meilisearch" ||
		env["RELAIS_SEARCH_INDEX_MEILISEARCH_API_KEY"] != "secret:relais-meilisearch/api-key" {
		t.Errorf("search on Meilisearch: replicas %d, env %v", *es.Spec.Replicas, env)
	}
	if n := len(ofKind[*corev1.PersistentVolumeClaim](ext)); n != 0 {
		t.Errorf("search on Meilisearch needs no volume, got %d PVCs", n)
	}
	penv := envOf(mustFind(t, ofKind[*appsv1.Deployment](ext), "r-relais-preview").Spec.Template.Spec.Containers[0])
	if penv["RELAIS_PREVIEW_FETCH_ALLOW"] != "10.40.0.0/16,opendata.region.internal" || penv["RELAIS_PREVIEW_FETCH_MAX_BYTES"] != "2147483648" {
		t.Errorf("preview fetch settings: %v", penv)
	}
	if penv["RELAIS_PREVIEW_ACK_WAIT"] != "30m" {
		t.Errorf("preview.ackWait: %v", penv)
	}
	aenv := envOf(mustFind(t, ofKind[*appsv1.Deployment](ext), "r-relais-analytics").Spec.Template.Spec.Containers[0])
	if aenv["RELAIS_ANALYTICS_ACK_WAIT"] != "1m" {
		t.Errorf("analytics.ackWait: %v", aenv)
	}
	henv := envOf(mustFind(t, ofKind[*appsv1.Deployment](ext), "r-relais-harvest").Spec.Template.Spec.Containers[0])
	if henv["RELAIS_HARVEST_FETCH_ALLOW"] != "opendata.region.internal" || henv["RELAIS_HARVEST_FETCH_MAX_BYTES"] != "536870912" ||
		henv["RELAIS_HARVEST_CATALOG_API_KEY"] != "secret:relais-tokens/service-user" {
		t.Errorf("harvest settings: %v", henv)
	}
	if genv := envOf(mustFind(t, ofKind[*appsv1.Deployment](ext), "r-relais-gateway").Spec.Template.Spec.Containers[0]); genv["RELAIS_GATEWAY_SESSION_KEY"] != "secret:relais-tokens/session-key" {
		t.Errorf("gateway session key from the existing Secret: %q", genv["RELAIS_GATEWAY_SESSION_KEY"])
	}
}

// NetworkPolicies admit only what the architecture needs.
func TestNetworkPolicies(t *testing.T) {
	none := renderStrict(t, []string{scenarioFile(t, "all-in-one-defaults.yaml")})
	if n := len(ofKind[*networkingv1.NetworkPolicy](none)); n != 0 {
		t.Errorf("networkPolicy.enabled=false renders %d policies", n)
	}
	ms := renderStrict(t, []string{scenarioFile(t, "distributed.yaml")})
	nps := ofKind[*networkingv1.NetworkPolicy](ms)
	if got := names(nps); !slices.Equal(got, []string{"r-relais-analytics", "r-relais-catalog", "r-relais-gateway", "r-relais-harvest", "r-relais-migrate", "r-relais-preview", "r-relais-search", "r-relais-storage"}) {
		t.Fatalf("one policy per target and the migration Job, got %v", got)
	}
	for _, np := range nps {
		if !slices.Equal(np.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}) {
			t.Errorf("%s: policyTypes %v", np.Name, np.Spec.PolicyTypes)
		}
		if len(np.Spec.Egress) == 0 || !egressAllows(np, 53, "") {
			t.Errorf("%s: DNS egress missing", np.Name)
		}
	}
	catalog := mustFind(t, nps, "r-relais-catalog")
	storage := mustFind(t, nps, "r-relais-storage")
	// Each target admits its callers (the calls of values.yaml) only.
	for np, want := range map[string][]string{
		"r-relais-catalog": {"analytics", "gateway", "harvest", "preview", "search"}, "r-relais-storage": {"gateway", "preview"},
		"r-relais-search": {"gateway"}, "r-relais-preview": {"gateway"}, "r-relais-analytics": {"gateway"},
		"r-relais-harvest": {}, // sysadmins' `relais harvest`, through grpcFrom
	} {
		got := grpcCallers(t, mustFind(t, nps, np))
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s gRPC admits %v, want %v", np, got, want)
		}
	}
	preview := mustFind(t, nps, "r-relais-preview")
	if !egressAllows(preview, 9091, "") || !egressAllows(preview, 9092, "") || !egressAllows(preview, 443, "") {
		t.Error("preview egress must reach the catalog, the storage service and remote files")
	}
	harvest := mustFind(t, nps, "r-relais-harvest")
	if !egressAllows(harvest, 9091, "") || !egressAllows(harvest, 443, "") || !egressAllows(harvest, 4222, "nats") || !egressAllows(harvest, 5432, "postgresql") {
		t.Error("harvest egress must reach the catalog, remote catalogues, NATS and PostgreSQL")
	}
	if egressAllows(harvest, 9092, "") {
		t.Error("harvest does not call the storage service")
	}
	if egressAllows(mustFind(t, nps, "r-relais-search"), 443, "") {
		t.Error("search fetches nothing from the web")
	}
	if !egressAllows(storage, 4222, "nats") || !egressAllows(storage, 5432, "postgresql") || !egressAllows(storage, 9000, "") {
		t.Error("storage egress must reach NATS, PostgreSQL and S3")
	}
	// networkPolicy.grpcFrom opens the catalog's gRPC port to the
	// operator's tools, never the storage service's.
	ext := ofKind[*networkingv1.NetworkPolicy](renderStrict(t, []string{scenarioFile(t, "distributed-external-secrets.yaml")}))
	if got := grpcCallers(t, mustFind(t, ext, "r-relais-storage")); !slices.Equal(got, []string{"gateway", "preview"}) {
		t.Errorf("with grpcFrom, storage gRPC admits %v, want the gateway and preview only", got)
	}
	if got := grpcCallers(t, mustFind(t, ext, "r-relais-catalog")); !slices.Contains(got, "namespace kubernetes.io/metadata.name=operator-tools") {
		t.Errorf("with grpcFrom, catalog gRPC admits %v", got)
	}
	if !egressAllows(catalog, 4222, "nats") || !egressAllows(catalog, 5432, "postgresql") {
		t.Error("catalog egress must reach the bundled NATS and PostgreSQL")
	}
	gateway := mustFind(t, nps, "r-relais-gateway")
	if !egressAllows(gateway, 9091, "") || !egressAllows(gateway, 9092, "") {
		t.Error("gateway egress must reach the catalog's and the storage service's gRPC ports")
	}
	if egressAllows(gateway, 9000, "") || egressAllows(gateway, 443, "") {
		t.Error("the gateway reaches S3 only through the storage service")
	}
	if egressAllows(gateway, 5432, "") || !egressAllows(gateway, 4222, "nats") {
		t.Error("the gateway needs no PostgreSQL, and NATS for the views it publishes")
	}
	if !egressAllows(gateway, 9094, "") || !egressAllows(gateway, 9095, "") || !egressAllows(gateway, 9096, "") {
		t.Error("gateway egress must reach search, analytics and preview")
	}
	migrate := mustFind(t, nps, "r-relais-migrate")
	if len(migrate.Spec.Ingress) != 0 || !egressAllows(migrate, 5432, "postgresql") || egressAllows(migrate, 4222, "") {
		t.Error("the migration Job: no ingress, egress to PostgreSQL (and DNS) only")
	}
}

// grpcCallers lists who np admits to the gRPC port: the components of the
// release, and "namespace k=v" for a namespace selector.
func grpcCallers(t *testing.T, np *networkingv1.NetworkPolicy) []string {
	t.Helper()
	var out []string
	for _, r := range np.Spec.Ingress {
		for _, p := range r.Ports {
			if p.Port.String() != "grpc" {
				continue
			}
			for _, f := range r.From {
				switch {
				case f.IPBlock != nil:
					out = append(out, "ipBlock "+f.IPBlock.CIDR)
				case f.NamespaceSelector != nil:
					for k, v := range f.NamespaceSelector.MatchLabels {
						out = append(out, "namespace "+k+"="+v)
					}
				case f.PodSelector != nil:
					for _, e := range f.PodSelector.MatchExpressions {
						out = append(out, e.Values...)
					}
				}
			}
		}
	}
	return out
}

// egressAllows says whether a rule of np allows TCP or UDP port (to pods
// named app when app is not empty).
func egressAllows(np *networkingv1.NetworkPolicy, port int, app string) bool {
	for _, r := range np.Spec.Egress {
		for _, p := range r.Ports {
			if p.Port == nil || p.Port.IntValue() != port {
				continue
			}
			if app == "" {
				return true
			}
			for _, to := range r.To {
				if to.PodSelector != nil && to.PodSelector.MatchLabels["app.kubernetes.io/name"] == app {
					return true
				}
			}
		}
	}
	return false
}

// The validators are live: an unknown field fails both the strict decoding
// and kubeconform (whose schema for Deployment exists and accepts the fixed
// object), and an API version Kubernetes does not serve has no schema.
func TestValidatorsRejectInvalidObjects(t *testing.T) {
	v := newKubeconform(t)
	bad := manifest{Source: "test", Raw: []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
spec:
  replicas: 1
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers:
        - name: x
          image: x
          securityContext: {readOnlyRootFileSystem: true}
`)}
	if err := decodeStrict(&bad); err == nil || !strings.Contains(err.Error(), "readOnlyRootFileSystem") {
		t.Errorf("strict decoding accepts an unknown field: %v", err)
	}
	// Invalid, not Error: the schema was found and said no.
	if res := v.v.ValidateResource(toResource(bad)); res.Status != validator.Invalid {
		t.Errorf("kubeconform does not find the unknown field invalid: status %v, %v", res.Status, res.Err)
	}
	good := manifest{Source: "test", Raw: []byte(strings.ReplaceAll(string(bad.Raw), "FileSystem", "Filesystem"))}
	if res := v.v.ValidateResource(toResource(good)); res.Status != validator.Valid {
		t.Errorf("kubeconform refuses a valid Deployment: status %v, %v %v", res.Status, res.Err, res.ValidationErrors)
	}
	tooNew := manifest{Source: "test", Raw: []byte("apiVersion: apps/v2\nkind: Deployment\nmetadata: {name: x}\n")}
	if res := v.v.ValidateResource(toResource(tooNew)); res.Status != validator.Error {
		t.Errorf("kubeconform knows apps/v2: status %v", res.Status)
	}
	unknown := manifest{Source: "test", Raw: []byte("apiVersion: example.org/v9\nkind: Nothing\nmetadata: {name: x}\n")}
	if err := decodeStrict(&unknown); err == nil {
		t.Error("strict decoding accepts an unknown kind")
	}
}

// Every key of values.yaml is in the values table of the chart's README.
func TestValuesAreDocumented(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var vals map[string]any
	if err := yaml.Unmarshal(raw, &vals); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(chartDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([^`]+)` \\|").FindAllStringSubmatch(string(readme), -1) {
		documented[m[1]] = true
	}
	var missing []string
	for _, p := range documentedPaths(vals, "") {
		if !documented[p] {
			missing = append(missing, p)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("charts/relais/README.md has no row for: %s", strings.Join(missing, ", "))
	}
}

// documentedPaths are the keys the README documents: leaves, and maps
// whose content is free-form (probes, resources, each target).
func documentedPaths(v any, prefix string) []string {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 || prefix == "config" || strings.HasSuffix(prefix, ".resources") ||
		strings.HasSuffix(prefix, ".probes") || strings.HasSuffix(prefix, ".ports") || strings.HasPrefix(prefix, "targets.") ||
		strings.HasPrefix(prefix, "networkPolicy.egress.") || prefix == "podSecurityContext" || prefix == "containerSecurityContext" ||
		prefix == "networkPolicy.dns" {
		return []string{prefix}
	}
	var out []string
	for k, c := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		out = append(out, documentedPaths(c, p)...)
	}
	return out
}

// The Kubernetes version the chart is checked against is the one of the
// k8s.io/api types it is decoded with.
func TestKubernetesVersionMatchesAPITypes(t *testing.T) {
	raw, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	mf, err := modfile.Parse("go.mod", raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	minor := strings.Split(k8sschema.KubernetesVersion, ".")[1]
	for _, r := range mf.Require {
		if r.Mod.Path == "k8s.io/api" {
			if got := strings.Split(r.Mod.Version, ".")[1]; got != minor {
				t.Fatalf("k8s.io/api %s but schemas of Kubernetes %s: keep the minor versions equal", r.Mod.Version, k8sschema.KubernetesVersion)
			}
			return
		}
	}
	t.Fatal("go.mod requires no k8s.io/api")
}
