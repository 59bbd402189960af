package web

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	htmlatom "golang.org/x/net/html/atom"

	"github.com/zhida/zhida/corpus"
)

// MaxUpload is the largest policy file the console accepts. A .docx is a zip,
// so its unpacked document.xml is bounded separately.
const MaxUpload = 8 << 20

// maxDocXML bounds word/document.xml as unpacked, against zip bombs.
const maxDocXML = 32 << 20

// uploadText is a policy file read into plain text, with a title when the
// file names one (an HTML <title>).
type uploadText struct {
	text  string
	title string
}

// readUpload turns an uploaded file into policy text by its extension:
// .txt (UTF-8), .docx (the paragraphs of word/document.xml) or .html/.htm.
// Errors say what is wrong in words an editor can act on.
func readUpload(name string, data []byte) (uploadText, error) {
	ext := strings.ToLower(path.Ext(name))
	var (
		out uploadText
		err error
	)
	switch ext {
	case ".txt", ".text":
		out.text, err = utf8Text(data)
	case ".docx":
		out.text, err = docxText(data)
	case ".html", ".htm":
		out, err = htmlText(data)
	case ".doc":
		return out, errors.New("不支持旧版 Word（.doc）文件：请在 Word 中另存为 .docx 后再上传")
	case ".pdf":
		return out, errors.New("暂不支持 PDF：请复制正文粘贴到文本框")
	default:
		return out, fmt.Errorf("不支持的文件类型“%s”：请上传 .txt、.docx 或 .html 文件", ext)
	}
	if err != nil {
		return out, err
	}
	if len(out.text) > corpus.MaxTextBytes {
		return out, fmt.Errorf("正文有 %d 字节，超过上限 %d 字节", len(out.text), corpus.MaxTextBytes)
	}
	return out, nil
}

// utf8Text checks data is UTF-8 (a byte-order mark is dropped) and says
// where it is not: GBK files are common and must not become mojibake.
func utf8Text(data []byte) (string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		at := 0
		for at < len(data) {
			r, n := utf8.DecodeRune(data[at:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			at += n
		}
		line := bytes.Count(data[:at], []byte("\n")) + 1
		return "", fmt.Errorf("文件不是 UTF-8 编码（第 %d 行，第 %d 字节起无法识别，可能是 GBK）：请用记事本等工具另存为 UTF-8 后再上传", line, at+1)
	}
	return string(data), nil
}

// docxText reads the paragraphs of a .docx: the text runs (w:t) of each
// w:p, tabs and breaks kept, one paragraph a line.
func docxText(data []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("无法读取 .docx 文件（不是有效的 Word 文档）：%v", err)
	}
	var doc *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			doc = f
		}
	}
	if doc == nil {
		return "", errors.New("无法读取 .docx 文件：缺少 word/document.xml")
	}
	rc, err := doc.Open()
	if err != nil {
		return "", fmt.Errorf("无法读取 .docx 文件：%v", err)
	}
	defer rc.Close()
	dec := xml.NewDecoder(io.LimitReader(rc, maxDocXML))
	var b strings.Builder
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("无法读取 .docx 文件（document.xml 第 %d 字节）：%v", dec.InputOffset(), err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				b.WriteByte('\t')
			case "br", "cr":
				b.WriteByte('\n')
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				b.WriteByte('\n')
			}
		case xml.CharData:
			if inText {
				b.Write(t)
			}
		}
	}
	return strings.TrimSpace(b.String()), nil
}

// blockTags end a line in HTML text.
var blockTags = map[htmlatom.Atom]bool{
	htmlatom.P: true, htmlatom.Div: true, htmlatom.Br: true, htmlatom.Li: true, htmlatom.Tr: true, htmlatom.H1: true, htmlatom.H2: true,
	htmlatom.H3: true, htmlatom.H4: true, htmlatom.H5: true, htmlatom.H6: true, htmlatom.Table: true, htmlatom.Section: true,
	htmlatom.Article: true, htmlatom.Blockquote: true, htmlatom.Pre: true, htmlatom.Ul: true, htmlatom.Ol: true, htmlatom.Dd: true, htmlatom.Dt: true,
}

// htmlText reads the visible text of an HTML page, one block a line, and its
// <title>. Scripts, styles and the head are skipped.
func htmlText(data []byte) (uploadText, error) {
	s, err := utf8Text(data)
	if err != nil {
		return uploadText{}, err
	}
	root, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return uploadText{}, fmt.Errorf("无法读取 HTML 文件：%v", err)
	}
	var out uploadText
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			switch n.DataAtom {
			case htmlatom.Script, htmlatom.Style, htmlatom.Noscript, htmlatom.Template:
				return
			case htmlatom.Title:
				if n.FirstChild != nil && out.title == "" {
					out.title = strings.TrimSpace(n.FirstChild.Data)
				}
				return
			}
		case html.TextNode:
			b.WriteString(strings.Join(strings.Fields(n.Data), " "))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && blockTags[n.DataAtom] {
			b.WriteByte('\n')
		}
	}
	walk(root)
	// Collapse the blank lines nested blocks leave.
	var lines []string
	for _, l := range strings.Split(b.String(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	out.text = strings.Join(lines, "\n")
	return out, nil
}
