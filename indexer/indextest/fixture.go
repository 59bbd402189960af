package indextest

import (
	"sync"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/zhnorm"
	"github.com/zhida/zhida/indexer"
	"github.com/zhida/zhida/indexer/segment"
)

// Today is the date the suite judges liveness on.
var Today = corpus.MustDate("2025-06-01")

// TestFolder is the folding the suite's segmenter uses: corpus/zhnorm.Fold,
// as production wires it.
var TestFolder = zhnorm.Fold

var shared = sync.OnceValues(func() (*segment.Segmenter, error) {
	return segment.New(segment.WithFolder(TestFolder))
})

// Segmenter returns the segmenter shared by every test in the process, with
// TestFolder; backends under test must use it.
func Segmenter() (*segment.Segmenter, error) { return shared() }

// Policy ids of the fixture.
const (
	IDTianheJiuye  = "gz-tianhe-jiuye"      // 天河区 一次性吸纳就业补贴, apply-free
	IDGaoqiTax     = "cn-gaoqi-tax"         // national 高新技术企业 tax
	IDGdCanji      = "gd-canji-liangxiang"  // 广东 残疾人两项补贴, residents, apply-free
	IDBjZhuanjing  = "bj-zhuanjingtexin"    // 北京 专精特新 reward
	IDGzWengang    = "gz-wengang-2020"      // 广州 稳岗返还, expired, apply-free
	IDSzDanbao     = "sz-chuangye-danbao"   // 深圳 创业担保贷款, both audiences
	IDCnZaijian    = "cn-zaijian-gongcheng" // national 在建工程 tax rule
	IDFutureTianhe = "gz-tianhe-future"     // 天河区, in force only from 2025-09-01
)

func date(s string) corpus.Date { return corpus.MustDate(s) }

// Fixture returns the suite's documents. Their texts are sentences of real
// policy pages in /work/shared/corpus/pages (see SOURCES.md).
func Fixture() []indexer.Doc {
	mk := func(id, title, reg string, cat corpus.Category, aud corpus.Audience, pub, from, to string, applyFree bool, benefits []string, text string) indexer.Doc {
		d := corpus.Document{
			Title: title, Region: reg, Category: cat, Audience: aud, Issuer: "测试发文机关",
			PublishDate: date(pub), EffectiveFrom: date(from), Text: text,
		}
		if to != "" {
			d.EffectiveTo = date(to)
		}
		for _, b := range benefits {
			d.Benefits = append(d.Benefits, corpus.Benefit{Name: b, ApplyFree: applyFree})
		}
		return indexer.NewDoc(corpus.Version{PolicyID: id, Version: 1, Document: d}, corpus.StatusPublished)
	}
	E, R, B := corpus.AudienceEnterprise, corpus.AudienceResident, corpus.AudienceBoth
	return []indexer.Doc{
		mk(IDTianheJiuye, "天河区吸纳就业补贴申领办法", "440106", corpus.CategoryEmployment, E,
			"2024-03-01", "2024-03-01", "2026-12-31", true, []string{"一次性吸纳就业补贴"},
			"对吸纳高校毕业生就业的企业给予一次性吸纳就业补贴。一次性扩岗补助与一次性吸纳就业补贴(即一次性带动就业补贴,下同)政策不能重复享受。"),
		mk(IDGaoqiTax, "关于高新技术企业所得税优惠的通知", "100000", corpus.CategoryTax, E,
			"2023-01-10", "2023-01-01", "", false, []string{"企业所得税减按15%征收"},
			"国家需要重点扶持的高新技术企业，减按15%的税率征收企业所得税。企业应在年度汇算清缴时自行判别、申报享受。"),
		mk(IDGdCanji, "关于提高我省残疾人两项补贴标准的通知", "440000", corpus.CategoryDisability, R,
			"2025-01-15", "2025-01-01", "", true, []string{"困难残疾人生活补贴", "重度残疾人护理补贴"},
			"2026年1月起，全市困难残疾人生活补贴和重度残疾人护理补贴标准分别提高至每人每月217元、290元。符合享受残疾人两项补贴待遇的居家社区养老服务资助对象按照本市残疾人两项补贴的有关规定执行。"),
		mk(IDBjZhuanjing, "北京市专精特新企业奖励办法", "110000", corpus.CategorySubsidy, E,
			"2024-06-01", "2024-06-01", "", false, []string{"专精特新小巨人奖励"},
			"新认定的国家专精特新“小巨人”企业，由市级财政给予一次性50万元奖励。"),
		mk(IDGzWengang, "广州市2020年失业保险稳岗返还通知", "440100", corpus.CategoryEmployment, E,
			"2020-03-01", "2020-03-01", "2020-12-31", true, []string{"失业保险稳岗返还"},
			"参保企业足额缴纳失业保险费12个月以上，上年度未裁员或裁员率不高于5.5%的，可申请失业保险稳岗返还。"),
		mk(IDSzDanbao, "深圳市创业担保贷款实施办法", "440300", corpus.CategoryFinance, B,
			"2024-09-01", "2024-09-01", "", false, []string{"创业担保贷款", "创业担保贷款贴息"},
			"高校毕业生创业可申请财政贴息的个人创业担保贷款，最高贷款额度为40万元。符合条件的小微企业可在创业所在地申请创业担保贷款。"),
		mk(IDCnZaijian, "关于固定资产加速折旧的公告", "100000", corpus.CategoryTax, E,
			"2022-05-01", "2022-05-01", "", false, nil,
			"企业在建工程完工转为固定资产的，可按规定一次性税前扣除。"),
		mk(IDFutureTianhe, "天河区人才公寓补贴办法", "440106", corpus.CategoryTalent, R,
			"2025-05-20", "2025-09-01", "", false, []string{"人才公寓租金补贴"},
			"对在天河区工作的高层次人才给予人才公寓租金补贴。"),
	}
}
