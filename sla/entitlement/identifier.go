package entitlement

import "strings"

// ActivationCodeLength is the number of letters and digits in an
// activation code once its hyphens are removed.
const ActivationCodeLength = 31

// NormalizeActivationCode returns the canonical form of an activation code:
// upper case, hyphens removed. Customers paste codes with hyphens between
// groups, in lower case, with surrounding spaces or typed in full-width
// characters by a Japanese IME; all of these find the same entitlement.
//
// It returns a *FieldError with Code CodeInvalidActivationCode (field
// "activation_code") when what remains is not exactly 31 ASCII letters and
// digits.
func NormalizeActivationCode(s string) (string, error) {
	var b strings.Builder
	n := 0
	for _, r := range foldWidth(strings.TrimSpace(s)) {
		if r == '-' {
			continue
		}
		if !isAlnum(r) {
			return "", activationErr("must contain only letters, digits and hyphens")
		}
		n++
		b.WriteRune(upper(r))
	}
	if n != ActivationCodeLength {
		return "", activationErr("must have 31 letters and digits (hyphens not counted)")
	}
	return b.String(), nil
}

func activationErr(msg string) *FieldError {
	return &FieldError{Code: CodeInvalidActivationCode, Field: "activation_code", Message: "activation code " + msg}
}

// registrationKeyGroups are the group lengths of XX-XXXX-XXXX-XXXX-XXXX.
var registrationKeyGroups = []int{2, 4, 4, 4, 4}

// NormalizeRegistrationKey returns the canonical form of a registration key:
// XX-XXXX-XXXX-XXXX-XXXX (22 characters) in upper case. Lower case,
// surrounding spaces and full-width characters are accepted; the hyphens are
// not optional, because the key is printed with them on the licence
// agreement and a key without them is more likely something else.
//
// It returns a *FieldError with Code CodeInvalidRegistrationKey (field
// "registration_key") for anything not of that form.
func NormalizeRegistrationKey(s string) (string, error) {
	key := strings.ToUpper(foldWidth(strings.TrimSpace(s)))
	groups := strings.Split(key, "-")
	if len(groups) != len(registrationKeyGroups) {
		return "", registrationErr()
	}
	for i, g := range groups {
		if len(g) != registrationKeyGroups[i] {
			return "", registrationErr()
		}
		for _, r := range g {
			if !isAlnum(r) {
				return "", registrationErr()
			}
		}
	}
	return key, nil
}

func registrationErr() *FieldError {
	return &FieldError{Code: CodeInvalidRegistrationKey, Field: "registration_key",
		Message: "registration key must have the form XX-XXXX-XXXX-XXXX-XXXX (letters and digits)"}
}

// NormalizeSerial trims a serial number. Serials have no fixed format across
// vendors, so they are not validated; they compare case-insensitively.
func NormalizeSerial(s string) string { return strings.TrimSpace(s) }

// HasSerial reports whether serial is the entitlement's serial number or one
// of its earlier ones (SerialAliases), ignoring case and surrounding spaces.
// An empty serial matches nothing.
func (e Entitlement) HasSerial(serial string) bool {
	serial = NormalizeSerial(serial)
	if serial == "" {
		return false
	}
	if strings.EqualFold(NormalizeSerial(e.SerialNumber), serial) {
		return true
	}
	for _, a := range e.SerialAliases {
		if strings.EqualFold(NormalizeSerial(a), serial) {
			return true
		}
	}
	return false
}

// hasActivationCode compares canonical forms; code must already be
// normalised. A stored code that fails to normalise is compared as typed.
func (e Entitlement) hasActivationCode(code string) bool {
	own, err := NormalizeActivationCode(e.ActivationCode)
	if err != nil {
		own = strings.ToUpper(strings.TrimSpace(e.ActivationCode))
	}
	return code != "" && own == code
}

// hasRegistrationKey is hasActivationCode for registration keys.
func (e Entitlement) hasRegistrationKey(key string) bool {
	own, err := NormalizeRegistrationKey(e.RegistrationKey)
	if err != nil {
		own = strings.ToUpper(strings.TrimSpace(e.RegistrationKey))
	}
	return key != "" && own == key
}

func isAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z'
}

func upper(r rune) rune {
	if r >= 'a' && r <= 'z' {
		return r - 'a' + 'A'
	}
	return r
}

// foldWidth maps full-width ASCII (U+FF01–U+FF5E, e.g. "ＡＢ－１２") to
// ASCII: Japanese customers often type identifiers with the IME on.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E {
			return r - 0xFEE0
		}
		return r
	}, s)
}
