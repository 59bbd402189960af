package casecheck

import "testing"

// Known-good identifiers from the eval-dev set (validated independently there)
// and single-character corruptions of them.
func TestValidUSCC(t *testing.T) {
	tests := []struct {
		code string
		ok   bool
	}{
		{"91321002MA37124213", true},
		{"91321003MA3321367Q", true},
		{"92321012782855731F", true},
		{"91321002MA37124214", false}, // wrong GB 32100 check character
		{"91321002MA37124313", false}, // body changed: both checks break
		{"9132100", false},
	}
	for _, tt := range tests {
		if err := ValidUSCC(tt.code); (err == nil) != tt.ok {
			t.Errorf("ValidUSCC(%s) = %v, want ok=%v", tt.code, err, tt.ok)
		}
	}
}

func TestCompleteUSCCRoundTrip(t *testing.T) {
	for _, p := range []string{"91411202MA9K3L1B", "92440106MA5C7D2E", "91110108MA01XY12"} {
		code, err := CompleteUSCC(p)
		if err != nil {
			t.Fatalf("CompleteUSCC(%s): %v", p, err)
		}
		if err := ValidUSCC(code); err != nil {
			t.Errorf("completed %s is invalid: %v", code, err)
		}
	}
}

func TestValidIDCard(t *testing.T) {
	// GB 11643 appendix example and eval-dev ids.
	for _, id := range []string{"11010519491231002X", "320803196905054404", "120104198005052315"} {
		if err := ValidIDCard(id); err != nil {
			t.Errorf("ValidIDCard(%s): %v", id, err)
		}
	}
	if ValidIDCard("320803196905054405") == nil {
		t.Error("corrupted id card accepted")
	}
}
