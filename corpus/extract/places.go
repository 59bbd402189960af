package extract

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/zhida/zhida/corpus/region"
)

// place is a region named in a sentence.
type place struct {
	code       string
	start, end int // byte offsets
	text       string
}

// abbreviations are the one-character names of provinces and big cities
// used in 籍 and 户籍 (非穗籍, 京籍, 沪籍).
var abbreviations = map[string]string{
	"京": "110000", "津": "120000", "沪": "310000", "渝": "500000", "穗": "440100", "深": "440300",
	"冀": "130000", "晋": "140000", "辽": "210000", "吉": "220000", "黑": "230000", "苏": "320000",
	"浙": "330000", "皖": "340000", "闽": "350000", "赣": "360000", "鲁": "370000", "豫": "410000",
	"鄂": "420000", "湘": "430000", "粤": "440000", "桂": "450000", "琼": "460000", "川": "510000",
	"蜀": "510000", "黔": "520000", "滇": "530000", "陕": "610000", "甘": "620000", "青": "630000",
	"宁": "640000", "新": "650000", "藏": "540000", "蒙": "150000",
}

var (
	localRe  = regexp.MustCompile(`本市|全市|我市|市内|本区|全区|我区|区内|本县|全县|我县|县内|本省|全省|我省|省内|辖区|本地`)
	abbrevRe = regexp.MustCompile(`([京津沪渝穗深冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川蜀黔滇陕甘青宁新藏蒙])籍`)
)

// resolveLocal maps 本市/本区/本省 … to a code, given the issuing region.
func resolveLocal(word, issuing string) string {
	if issuing == "" || issuing == region.National || len(issuing) != 6 {
		return ""
	}
	switch {
	case strings.Contains(word, "省"):
		return issuing[:2] + "0000"
	case strings.Contains(word, "市"):
		if issuing[4:] == "00" {
			return issuing
		}
		// A county issuing about 本市: the county-level city itself when it is
		// one (孝义市), else the prefecture.
		if r, ok := region.Default().Lookup(issuing); ok && strings.HasSuffix(r.Name, "市") {
			return issuing
		}
		if issuing[:2] == "11" || issuing[:2] == "12" || issuing[:2] == "31" || issuing[:2] == "50" {
			return issuing[:2] + "0000"
		}
		return issuing[:4] + "00"
	}
	return issuing
}

// maxNameRunes bounds the names looked up while scanning.
const maxNameRunes = 12

// findPlaces returns the regions a sentence names, longest name first at
// each position; local words (本市) resolve against the issuing region.
func findPlaces(s, issuing string) []place {
	var out []place
	for _, m := range localRe.FindAllStringIndex(s, -1) {
		if c := resolveLocal(s[m[0]:m[1]], issuing); c != "" {
			out = append(out, place{code: c, start: m[0], end: m[1], text: s[m[0]:m[1]]})
		}
	}
	for _, m := range abbrevRe.FindAllStringSubmatchIndex(s, -1) {
		out = append(out, place{code: abbreviations[s[m[2]:m[3]]], start: m[2], end: m[3], text: s[m[2]:m[3]]})
	}
	t := region.Default()
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r < 0x4E00 {
			i += size
			continue
		}
		// Longest name starting at i.
		j, n, bestEnd := i, 0, -1
		var bestCodes []string
		for j < len(s) && n < maxNameRunes {
			_, sz := utf8.DecodeRuneInString(s[j:])
			j += sz
			n++
			if n < 2 {
				continue
			}
			if codes := t.ByName(s[i:j]); len(codes) > 0 {
				bestEnd, bestCodes = j, codes
			}
		}
		if bestEnd < 0 {
			i += size
			continue
		}
		name := s[i:bestEnd]
		if code := pickRegion(bestCodes, issuing, name); code != "" && plausiblePlace(s, i, bestEnd, name) {
			out = append(out, place{code: code, start: i, end: bestEnd, text: name})
		}
		i = bestEnd
	}
	return out
}

// plausiblePlace rejects short names that are ordinary words in context
// (资源税 is not 资源县): a short name must be followed by a place word.
func plausiblePlace(s string, start, end int, name string) bool {
	last, _ := utf8.DecodeLastRuneInString(name)
	if strings.ContainsRune("省市区县州旗盟", last) || strings.HasSuffix(name, "自治区") {
		return true
	}
	rest := s[end:]
	for _, w := range []string{"地区", "户籍", "籍", "行政区域", "境内", "范围内", "注册", "辖区"} {
		if strings.HasPrefix(rest, w) {
			return true
		}
	}
	return false
}

// pickRegion chooses among regions sharing a name: one inside the issuing
// province first, then the highest level.
func pickRegion(codes []string, issuing, name string) string {
	if len(codes) == 1 {
		return codes[0]
	}
	if len(issuing) == 6 && issuing != region.National {
		for _, c := range codes {
			if region.Within(c, issuing[:2]+"0000") {
				return c
			}
		}
	}
	best := ""
	for _, c := range codes {
		if best == "" || level(c) < level(best) {
			best = c
		}
	}
	return best
}

func level(code string) int {
	switch {
	case code[2:] == "0000":
		return 0
	case code[4:] == "00":
		return 1
	}
	return 2
}
