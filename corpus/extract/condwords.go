package extract

// moreConditionWords extends predicateRe (benefits.go), the words that make
// an unread clause a requirement worth keeping as unparsed rather than
// dropping: an enterprise's record (纳税信用等级, 欠税, 安全生产事故,
// 环境污染, 行政处罚, 资质), a person's standing (学历, 职称) and
// circumstances (患有重大疾病, 丧失劳动能力, 父母死亡). Without
// them a clause such as 纳税信用等级为A级 was lost.
const moreConditionWords = `信用等级|纳税信用|欠税|欠缴|拖欠|安全生产|安全事故|责任事故|污染|环保|环境违法|处罚|违法|违规|资质|学历|学位|职称|资格证|增长率|负债率|产值|患有|重病|疾病|丧失|死亡|失联|失踪|服刑|抚养|赡养`

// moreCondHeads extends condHeadRe (structure.go), the titles of the part of
// a text that says who qualifies: 补贴人群, 享受群体, 申报要求. Without them
// such a part (or a question such as 哪些人可以领取…？) read as an amount or as prose, and its clauses, which name no
// cue word (本区户籍、年满60周岁的老年人), were dropped.
const moreCondHeads = `人群|群体|(?:申报|申请|基本|资格|准入|享受|参评|入选|申领)要求|哪些人|哪些企业|哪些单位|哪类|什么人|谁可以|谁能|需要满足|需满足`

// moreListIntros and moreAnyIntros extend introRe and anyIntroRe
// (benefits.go): a list of who is served introduced by 包括 (救助对象包括：
// （一）特困人员；（二）…) is a list of conditions, and its items are
// alternatives — a person is one of the groups. Without them the items that
// name no cue word were dropped and the one that did (…对象) was required.
const (
	moreListIntros = `包括(?:[：:]|$)`
	moreAnyIntros  = `(?:对象|人员|群体|人群|范围)(?:主要)?包括(?:[：:]|$)`
)
