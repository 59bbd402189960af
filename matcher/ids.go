package matcher

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/zhida/zhida/corpus"
)

// usccChars is the GB 32100-2015 character set of the 统一社会信用代码: digits
// and capitals without I, O, Z, S, V. A character's value is its index.
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CheckUSCC validates an 18-character 统一社会信用代码: the character set, the
// GB 32100 check character (18th) and the GB 11714 check character of the
// embedded 组织机构代码 (characters 9–17). It says which check failed; it never
// reads a region from the code (CONTRACT §4).
func CheckUSCC(code string) error {
	if len(code) != 18 {
		return fmt.Errorf("统一社会信用代码 must have 18 characters, has %d", len([]rune(code)))
	}
	sum := 0
	for i := 0; i < 18; i++ {
		v := strings.IndexByte(usccChars, code[i])
		if v < 0 {
			return fmt.Errorf("统一社会信用代码 character %d %q is not allowed (GB 32100)", i+1, code[i])
		}
		if i < 17 {
			sum += v * usccWeights[i]
		}
	}
	want := (31 - sum%31) % 31
	if code[17] != usccChars[want] {
		return fmt.Errorf("统一社会信用代码 check character is %q, want %q (GB 32100)", code[17], usccChars[want])
	}
	if err := checkOrgCode(code[8:17]); err != nil {
		return err
	}
	return nil
}

var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// checkOrgCode validates a 9-character 组织机构代码 (GB 11714): 8 body
// characters (digits or capitals, A = 10 … Z = 35) and a check character.
func checkOrgCode(code string) error {
	sum := 0
	for i := 0; i < 8; i++ {
		c := code[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			return fmt.Errorf("组织机构代码 character %q is not allowed (GB 11714)", c)
		}
		sum += v * orgWeights[i]
	}
	var want byte
	switch r := 11 - sum%11; r {
	case 10:
		want = 'X'
	case 11:
		want = '0'
	default:
		want = byte('0' + r)
	}
	if code[8] != want {
		return fmt.Errorf("组织机构代码 %s check character is %q, want %q (GB 11714)", code, code[8], want)
	}
	return nil
}

var idCardWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCardCheck = "10X98765432"

// IDCard is what a valid 居民身份证号 tells: the birth date and gender. The
// number itself is not kept.
type IDCard struct {
	BirthDate corpus.Date
	Gender    string // "male" or "female"
}

// errIDCard is deliberately free of the number, so it can be logged.
var errIDCard = errors.New("身份证号 must be 17 digits and a check character 0-9 or X")

// CheckIDCard validates an 18-character 居民身份证号 (GB 11643: check
// character, a real birth date) and returns the birth date and gender it
// carries. Errors never contain the number.
func CheckIDCard(id string) (IDCard, error) {
	if len(id) != 18 {
		return IDCard{}, errIDCard
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := id[i]
		if c < '0' || c > '9' {
			return IDCard{}, errIDCard
		}
		sum += int(c-'0') * idCardWeights[i]
	}
	last := id[17]
	if last == 'x' {
		last = 'X'
	}
	if last != idCardCheck[sum%11] {
		return IDCard{}, errors.New("身份证号 check character is wrong (GB 11643)")
	}
	bd, err := corpus.ParseDate(id[6:10] + "-" + id[10:12] + "-" + id[12:14])
	if err != nil || bd.Year < 1880 {
		return IDCard{}, errors.New("身份证号 carries no valid birth date")
	}
	g := "female"
	if (id[16]-'0')%2 == 1 {
		g = "male"
	}
	return IDCard{BirthDate: bd, Gender: g}, nil
}

// HashIDCard returns the keyed hash that stands for a 身份证号: hex
// HMAC-SHA256 of the upper-cased number under key. The same person hashes to
// the same value under the same key, so records can be joined without the
// clear number.
func HashIDCard(key []byte, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strings.ToUpper(id)))
	return hex.EncodeToString(m.Sum(nil))
}
