// Package region is the table of Chinese administrative division codes
// (行政区划代码, GB/T 2260): provinces, cities and counties with their names,
// and the containment rules (a county is within its city, province and the
// whole country) that filters and the matcher's `within` use.
package region

//go:generate go run ./internal/gen -o regions.tsv

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
)

// National is the code CONTRACT uses for the whole country.
const National = "100000"

// Region is one administrative division.
type Region struct {
	Code string // 6 digits
	Name string // full name, e.g. 广州市天河区 is "天河区"
}

//go:embed regions.tsv
var regionsTSV string

// Table looks regions up by code and by name. It is immutable once built.
type Table struct {
	byCode map[string]Region
	byName map[string][]string // full and short names → codes
}

// Default returns the table built from the bundled 行政区划代码 data. It is
// built once and shared; it is never modified.
var Default = sync.OnceValue(func() *Table { return parse(regionsTSV) })

func parse(tsv string) *Table {
	t := &Table{byCode: map[string]Region{}, byName: map[string][]string{}}
	t.add(Region{Code: National, Name: "全国"})
	for _, line := range strings.Split(tsv, "\n") {
		code, name, ok := strings.Cut(line, "\t")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		t.add(Region{Code: code, Name: name})
	}
	return t
}

func (t *Table) add(r Region) {
	t.byCode[r.Code] = r
	if strings.Contains(r.Name, "直辖") {
		return // "湖北省-自治区直辖县级行政区划" is a grouping, not a place name
	}
	for _, n := range names(r.Name) {
		if !slices.Contains(t.byName[n], r.Code) {
			t.byName[n] = append(t.byName[n], r.Code)
		}
	}
}

// Lookup returns the region with the given code.
func (t *Table) Lookup(code string) (Region, bool) {
	r, ok := t.byCode[code]
	return r, ok
}

// Valid reports whether code names a known region: a listed code, 100000, or
// the XXYY00 grouping code of listed counties (110100 北京市市辖区 is used by
// many data owners although the list has only 110000 and its districts).
func (t *Table) Valid(code string) bool {
	if _, ok := t.byCode[code]; ok {
		return true
	}
	if len(code) != 6 || code[4:] != "00" || !digits(code) {
		return false
	}
	for c := range t.byCode {
		if strings.HasPrefix(c, code[:4]) && c[4:] != "00" {
			return true
		}
	}
	return false
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Ancestors returns the listed regions containing code, nearest first, ending
// with National. The code itself is not included.
func (t *Table) Ancestors(code string) []string {
	if code == National || len(code) != 6 {
		return nil
	}
	var out []string
	if code[4:] != "00" {
		if _, ok := t.byCode[code[:4]+"00"]; ok {
			out = append(out, code[:4]+"00")
		}
	}
	if code[2:] != "0000" {
		out = append(out, code[:2]+"0000")
	}
	return append(out, National)
}

// Within reports whether region code lies inside region outer (or is it):
// 370811 is within 370800, 370000 and 100000. It follows the structure of the
// codes, so it needs no table and holds for codes the table does not list.
func Within(code, outer string) bool {
	switch {
	case outer == National:
		return len(code) == 6
	case len(code) != 6 || len(outer) != 6:
		return false
	case code == outer:
		return true
	case outer[2:] == "0000":
		return code[:2] == outer[:2]
	case outer[4:] == "00":
		return code[:4] == outer[:4]
	}
	return false
}

// ByName returns the codes of regions whose full or short name is name
// (广州市, 广州; 天河区, 天河; 广西壮族自治区, 广西). A short name may be
// shared (朝阳 is a district of Beijing and a city of Liaoning); callers pick
// with Within against the scope they know.
func (t *Table) ByName(name string) []string {
	return append([]string(nil), t.byName[name]...)
}

// Names returns every name ByName knows, for building dictionaries.
func (t *Table) Names() []string {
	out := make([]string, 0, len(t.byName))
	for n := range t.byName {
		out = append(out, n)
	}
	return out
}

// names returns the full name and the short forms people write: without the
// administrative suffix, and for autonomous areas without the ethnic names.
func names(full string) []string {
	out := []string{full}
	short := full
	for _, suf := range []string{"特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "新区", "省", "市", "区", "县", "盟", "旗"} {
		if strings.HasSuffix(short, suf) {
			short = strings.TrimSuffix(short, suf)
			break
		}
	}
	// 黔东南苗族侗族自治州 → 黔东南, 博尔塔拉蒙古自治州 → 博尔塔拉.
	for trimmed := true; trimmed; {
		trimmed = false
		for _, e := range ethnicGroups {
			for _, suf := range []string{e + "族", e} {
				if len([]rune(e)) == 1 && suf == e {
					continue // 回, 水, 土 ... only with 族
				}
				if rest := strings.TrimSuffix(short, suf); rest != short && len([]rune(rest)) >= 2 {
					short, trimmed = rest, true
				}
			}
		}
	}
	// A one-character short name (东区, 城区) is too ambiguous to find in text.
	if short != full && len([]rune(short)) >= 2 {
		out = append(out, short)
	}
	return out
}

// ethnicGroups are the names autonomous areas carry (without 族).
var ethnicGroups = strings.Fields(`蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山
拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯
鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺`)
