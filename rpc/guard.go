package rpc

import (
	"bytes"
	"encoding/json"

	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/twitchtv/twirp"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// DefaultMaxBody is the largest request body the API accepts. A policy text
// is at most corpus.MaxTextBytes; the rest is headroom for benefits.
const DefaultMaxBody = 8 << 20

// guard rejects, before Twirp decodes them, request bodies that are too large
// or hold invalid UTF-8, with invalid_argument naming the field — Twirp's own
// decoders would only say "malformed". Nothing reaches a service, so nothing
// stored changes.
func guard(maxBody int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/twirp/") {
			next.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > maxBody {
			writeTooLarge(w, maxBody)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			twirp.WriteError(w, twirp.NewError(twirp.Malformed, "reading the request body: "+err.Error()))
			return
		}
		if int64(len(body)) > maxBody {
			writeTooLarge(w, maxBody)
			return
		}
		if field, bad := invalidUTF8(r, body); bad {
			twirp.WriteError(w, twirp.InvalidArgumentError(field, "is not valid UTF-8"))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

func writeTooLarge(w http.ResponseWriter, maxBody int64) {
	twirp.WriteError(w, twirp.InvalidArgumentError("body",
		fmt.Sprintf("the request is larger than the %d MiB limit", maxBody>>20)))
}

// invalidUTF8 reports whether the body holds invalid UTF-8 and, if so, the
// path of the field that does.
func invalidUTF8(r *http.Request, body []byte) (string, bool) {
	ct := r.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	switch strings.TrimSpace(strings.ToLower(ct)) {
	case "application/json":
		if utf8.Valid(body) {
			return "", false
		}
		return jsonFieldAt(body, firstInvalid(body)), true
	case "application/protobuf":
		md := inputDescriptor(r.URL.Path)
		if md == nil {
			return "", false
		}
		return protoInvalidField(body, md, "")
	}
	return "", false
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// jsonFieldAt returns the path (a.b[2].c) of the JSON value that contains
// byte offset off, walking the tokens up to it.
func jsonFieldAt(body []byte, off int) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		key   string
		index int
		array bool
	}
	var stack []frame
	expectKey := false
	path := func() string {
		var sb strings.Builder
		for _, f := range stack {
			if f.array {
				sb.WriteString("[" + strconv.Itoa(f.index) + "]")
			} else if f.key != "" {
				if sb.Len() > 0 {
					sb.WriteByte('.')
				}
				sb.WriteString(f.key)
			}
		}
		if sb.Len() == 0 {
			return "body"
		}
		return sb.String()
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return path()
		}
		end := int(dec.InputOffset())
		top := len(stack) - 1
		switch t := tok.(type) {
		case json.Delim:
			if (t == '{' || t == '[') && top >= 0 && stack[top].array {
				stack[top].index++
			}
			switch t {
			case '{':
				stack = append(stack, frame{})
				expectKey = true
			case '[':
				stack = append(stack, frame{array: true, index: -1})
			case '}', ']':
				stack = stack[:top]
				if len(stack) > 0 && !stack[len(stack)-1].array {
					expectKey = true
				}
			}
			continue
		}
		if top >= 0 && !stack[top].array && expectKey {
			stack[top].key, _ = tok.(string)
			expectKey = false
			if end > off {
				return path()
			}
			continue
		}
		if top >= 0 && stack[top].array {
			stack[top].index++
		}
		if end > off {
			return path()
		}
		if top >= 0 && !stack[top].array {
			expectKey = true
		}
	}
}

func inputDescriptor(urlPath string) protoreflect.MessageDescriptor {
	// /twirp/zhida.v1.PolicyLibrary/CreateDraft
	rest := strings.TrimPrefix(urlPath, "/twirp/")
	svc, method, ok := strings.Cut(rest, "/")
	if !ok {
		return nil
	}
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(svc))
	if err != nil {
		return nil
	}
	sd, ok := d.(protoreflect.ServiceDescriptor)
	if !ok {
		return nil
	}
	m := sd.Methods().ByName(protoreflect.Name(method))
	if m == nil {
		return nil
	}
	return m.Input()
}

// protoInvalidField walks a protobuf message and returns the JSON path of the
// first string field holding invalid UTF-8.
func protoInvalidField(b []byte, md protoreflect.MessageDescriptor, prefix string) (string, bool) {
	counts := map[protowire.Number]int{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return "", false // malformed: Twirp will say so
		}
		b = b[n:]
		fd := md.Fields().ByNumber(num)
		if typ != protowire.BytesType || fd == nil {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return "", false
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return "", false
		}
		b = b[n:]
		name := string(fd.Name())
		if prefix != "" {
			name = prefix + "." + name
		}
		if fd.IsList() {
			name += "[" + strconv.Itoa(counts[num]) + "]"
			counts[num]++
		}
		switch fd.Kind() {
		case protoreflect.StringKind:
			if !utf8.Valid(v) {
				return name, true
			}
		case protoreflect.MessageKind:
			if f, bad := protoInvalidField(v, fd.Message(), name); bad {
				return f, true
			}
		}
	}
	return "", false
}
