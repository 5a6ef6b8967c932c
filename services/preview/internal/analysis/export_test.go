package analysis

// Test helpers of this package for its external tests (package
// analysis_test), which may import the tabular store.
var (
	GeneratedFile = generatedFile
	ResetPeakRSS  = resetPeakRSS
	PeakRSSMiB    = peakRSSMiB
	CPUSeconds    = cpuSeconds
)
