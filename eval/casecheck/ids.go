// Package casecheck validates the hand-written evaluation cases under
// eval/testdata/heldout: identifier check digits, region codes and the shape of
// case.json / expected.jsonl, so that a typo in a test fixture cannot pass as a
// labelled boundary.
package casecheck

import (
	"fmt"
	"strings"
)

// usccCharset is the GB 32100 code alphabet (no I, O, Z, S, V); a character's
// value is its index.
const usccCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are the GB 32100 weights of positions 1..17.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// USCCCheckChar returns the 18th character of a 统一社会信用代码 whose first 17
// characters are given (GB 32100-2015).
func USCCCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("uscc: need 17 characters, got %d", len(first17))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccCharset, first17[i])
		if v < 0 {
			return 0, fmt.Errorf("uscc: character %q at position %d is not in the GB 32100 alphabet", first17[i], i+1)
		}
		sum += v * usccWeights[i]
	}
	c := (31 - sum%31) % 31
	return usccCharset[c], nil
}

// orgWeights are the GB 11714 weights of the 8 body characters.
var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// OrgCodeCheckChar returns the 9th character of a GB 11714 组织机构代码 whose
// 8-character body is given. Digits count 0-9 and letters A-Z count 10-35.
func OrgCodeCheckChar(body8 string) (byte, error) {
	if len(body8) != 8 {
		return 0, fmt.Errorf("org code: need 8 characters, got %d", len(body8))
	}
	sum := 0
	for i := 0; i < 8; i++ {
		ch := body8[i]
		var v int
		switch {
		case ch >= '0' && ch <= '9':
			v = int(ch - '0')
		case ch >= 'A' && ch <= 'Z':
			v = int(ch-'A') + 10
		default:
			return 0, fmt.Errorf("org code: character %q at position %d", ch, i+1)
		}
		sum += v * orgWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X', nil
	case 11:
		return '0', nil
	default:
		return byte('0' + c), nil
	}
}

// ValidUSCC reports why an 18-character 统一社会信用代码 is invalid: its GB 32100
// check character, or the GB 11714 check character of the organisation code in
// positions 9-17. It returns nil for a valid code.
func ValidUSCC(code string) error {
	if len(code) != 18 {
		return fmt.Errorf("uscc %q: length %d, want 18", code, len(code))
	}
	want, err := USCCCheckChar(code[:17])
	if err != nil {
		return fmt.Errorf("uscc %q: %w", code, err)
	}
	if code[17] != want {
		return fmt.Errorf("uscc %q: check character %q, want %q", code, code[17], want)
	}
	org, err := OrgCodeCheckChar(code[8:16])
	if err != nil {
		return fmt.Errorf("uscc %q: %w", code, err)
	}
	if code[16] != org {
		return fmt.Errorf("uscc %q: organisation-code check character %q, want %q", code, code[16], org)
	}
	return nil
}

// CompleteUSCC turns the first 16 characters (registration department, type,
// region, 8-character organisation body) into a full valid 统一社会信用代码.
func CompleteUSCC(first16 string) (string, error) {
	if len(first16) != 16 {
		return "", fmt.Errorf("uscc: need 16 characters, got %d", len(first16))
	}
	org, err := OrgCodeCheckChar(first16[8:16])
	if err != nil {
		return "", err
	}
	c, err := USCCCheckChar(first16 + string(org))
	if err != nil {
		return "", err
	}
	return first16 + string(org) + string(c), nil
}

// idWeights are the GB 11643 weights of the first 17 digits.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// IDCardCheckChar returns the 18th character of a 居民身份证号 (GB 11643-1999).
func IDCardCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("id card: need 17 digits, got %d", len(first17))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		ch := first17[i]
		if ch < '0' || ch > '9' {
			return 0, fmt.Errorf("id card: non-digit at position %d", i+1)
		}
		sum += int(ch-'0') * idWeights[i]
	}
	return "10X98765432"[sum%11], nil
}

// ValidIDCard reports why an 18-character 居民身份证号 has a bad check
// character; nil when valid. The message never repeats the number itself.
func ValidIDCard(id string) error {
	if len(id) != 18 {
		return fmt.Errorf("id card: length %d, want 18", len(id))
	}
	want, err := IDCardCheckChar(id[:17])
	if err != nil {
		return err
	}
	if id[17] != want {
		return fmt.Errorf("id card: bad check character")
	}
	return nil
}
