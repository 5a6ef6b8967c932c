package ids

import "testing"

func TestIDs(t *testing.T) {
	for s, want := range map[string]bool{
		"5d13a8b6634f41070a43dff3": true, "5D13A8B6634F41070A43DFF3": true,
		"5d13a8b6634f41070a43dff": false, "5d13a8b6634f41070a43dffg": false, "": false,
	} {
		if IsObjectID(s) != want {
			t.Errorf("IsObjectID(%q) != %v", s, want)
		}
	}
	for s, want := range map[string]bool{
		"f868cca6-8da1-4369-a78d-47463f19a9a3": true, "F868CCA6-8DA1-4369-A78D-47463F19A9A3": true,
		"f868cca68da14369a78d47463f19a9a3": false, "f868cca6-8da1-4369-a78d-47463f19a9a": false,
		"f868cca6-8da1-4369-a78d_47463f19a9a3": false, "g868cca6-8da1-4369-a78d-47463f19a9a3": false,
	} {
		if IsCanonicalUUID(s) != want {
			t.Errorf("IsCanonicalUUID(%q) != %v", s, want)
		}
	}
}
