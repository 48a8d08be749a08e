package entitlement

import (
	"errors"
	"testing"
)

func TestNormalizeActivationCode(t *testing.T) {
	cases := []struct {
		name, in, want string // want "" means invalid_activation_code
	}{
		{"hyphens in groups", code1, canon1},
		{"no hyphens", canon1, canon1},
		{"lower case is upper-cased", "px-abcd-12345-efghi-67890-jklmn-p2q3r", canon1},
		{"other grouping", "PXABCD1-2345EFGHI-67890JKLMNP2Q3R", canon1},
		{"surrounding spaces", "  " + code1 + "\t", canon1},
		{"full-width IME input", "ＰＸ－ＡＢＣＤ－１２３４５－ＥＦＧＨＩ－６７８９０－ＪＫＬＭＮ－Ｐ２Ｑ３Ｒ", canon1},
		{"30 characters", "PX-ABCD-12345-EFGHI-67890-JKLMN-P2Q3", ""},
		{"32 characters", "PX-ABCD-12345-EFGHI-67890-JKLMN-P2Q3RS", ""},
		{"non-alphanumeric", "PX-ABCD-12345-EFGHI-67890-JKLMN-P2Q3_", ""},
		{"inner space", "PX ABCD-12345-EFGHI-67890-JKLMN-P2Q3R", ""},
		{"non-ASCII letter", "PX-ABCD-12345-EFGHI-67890-JKLMN-P2Q3É", ""},
		{"only hyphens", "-------------------------------", ""},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := NormalizeActivationCode(c.in)
			if c.want == "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Code != CodeInvalidActivationCode || fe.Field != "activation_code" || !errors.Is(err, ErrInvalid) {
					t.Fatalf("got %q, %v; want invalid_activation_code", got, err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestNormalizeRegistrationKey(t *testing.T) {
	cases := []struct {
		name, in, want string // want "" means invalid_registration_key
	}{
		{"canonical", key1, key1},
		{"lower case accepted and upper-cased", "ab-12cd-34ef-56gh-78ij", key1},
		{"surrounding spaces", " " + key1 + " ", key1},
		{"full-width", "ＡＢ－１２ＣＤ－３４ＥＦ－５６ＧＨ－７８ＩＪ", key1},
		{"21 characters", "AB-12CD-34EF-56GH-78I", ""},
		{"23 characters", "AB-12CD-34EF-56GH-78IJK", ""},
		{"22 characters, wrong groups", "ABC-2CD-34EF-56GH-78IJ", ""},
		{"groups 4-4-4-4-2", "12CD-34EF-56GH-78IJ-AB", ""},
		{"no hyphens", "AB12CD34EF56GH78IJ", ""},
		{"six groups", "AB-12CD-34EF-56GH-78IJ-", ""},
		{"non-alphanumeric", "AB-12CD-34EF-56GH-78I!", ""},
		{"activation code is not a key", code1, ""},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := NormalizeRegistrationKey(c.in)
			if c.want == "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Code != CodeInvalidRegistrationKey || fe.Field != "registration_key" {
					t.Fatalf("got %q, %v; want invalid_registration_key", got, err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestHasSerial(t *testing.T) {
	e := with(func(e *Entitlement) { e.SerialNumber = "ES12-3456"; e.SerialAliases = []string{"N001-OLD"} })
	cases := []struct {
		in   string
		want bool
	}{
		{"ES12-3456", true},
		{"  es12-3456 ", true},
		{"n001-old", true},
		{"ES12-345", false},
		{"", false},
		{"   ", false},
	}
	for _, c := range cases {
		if got := e.HasSerial(c.in); got != c.want {
			t.Errorf("HasSerial(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}
