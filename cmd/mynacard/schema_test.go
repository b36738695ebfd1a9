package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// The CLI's JSON is described once, in testdata/json-schema.json (a JSON
// Schema, draft 2020-12, of which this file checks the keywords it uses:
// $ref, type, properties, required, additionalProperties, items, enum,
// pattern, minimum, oneOf). "x-commands" names the $defs entry of each command's
// output. Objects are closed: a field the schema does not name fails, as
// does a field of the wrong type or outside its enum. The scripts check
// what they run with `jsonschema DEF` (stdout as one JSON value) or
// `jsonschema -lines DEF` (one JSON value a line).

// jsonSchema is the schema file, read once.
var jsonSchema = sync.OnceValues(func() (map[string]any, error) {
	b, err := os.ReadFile(filepath.Join("testdata", "json-schema.json"))
	if err != nil {
		return nil, err
	}
	var s map[string]any
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("testdata/json-schema.json: %w", err)
	}
	return s, nil
})

// schemaDef returns the $defs entry name.
func schemaDef(name string) (map[string]any, error) {
	s, err := jsonSchema()
	if err != nil {
		return nil, err
	}
	defs, _ := s["$defs"].(map[string]any)
	d, ok := defs[name].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("json-schema.json has no $defs/%s", name)
	}
	return d, nil
}

// validateJSON checks v against schema and returns every mismatch, each
// naming its path.
func validateJSON(schema map[string]any, v any, path string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		d, err := schemaDef(strings.TrimPrefix(ref, "#/$defs/"))
		if err != nil {
			return []string{path + ": " + err.Error()}
		}
		return validateJSON(d, v, path)
	}
	var errs []string
	if t, ok := schema["type"]; ok {
		var types []string
		switch t := t.(type) {
		case string:
			types = []string{t}
		case []any:
			for _, x := range t {
				types = append(types, x.(string))
			}
		}
		if !hasJSONType(v, types) {
			return []string{fmt.Sprintf("%s: %s, want %s", path, jsonTypeOf(v), strings.Join(types, " or "))}
		}
	}
	if e, ok := schema["enum"].([]any); ok {
		found := false
		for _, x := range e {
			if fmt.Sprint(x) == fmt.Sprint(v) {
				found = true
			}
		}
		if !found {
			errs = append(errs, fmt.Sprintf("%s: %v is not one of %v", path, v, e))
		}
	}
	if p, ok := schema["pattern"].(string); ok {
		if s, isString := v.(string); isString && !regexp.MustCompile(p).MatchString(s) {
			errs = append(errs, fmt.Sprintf("%s: %q does not match %s", path, s, p))
		}
	}
	if m, ok := schema["minimum"].(float64); ok {
		if n, isNumber := v.(float64); isNumber && n < m {
			errs = append(errs, fmt.Sprintf("%s: %v is below %v", path, n, m))
		}
	}
	if alts, ok := schema["oneOf"].([]any); ok {
		matched := 0
		var why []string
		for i, a := range alts {
			e := validateJSON(a.(map[string]any), v, fmt.Sprintf("%s(oneOf %d)", path, i))
			if len(e) == 0 {
				matched++
			}
			why = append(why, e...)
		}
		if matched != 1 {
			errs = append(errs, fmt.Sprintf("%s: matches %d of the oneOf schemas: %s", path, matched, strings.Join(why, "; ")))
		}
	}
	switch v := v.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		if props == nil && schema["additionalProperties"] == nil {
			// Only combinators (oneOf): their branches check the fields.
			break
		}
		for _, r := range asStrings(schema["required"]) {
			if _, ok := v[r]; !ok {
				errs = append(errs, fmt.Sprintf("%s: no field %q", path, r))
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps, ok := props[k].(map[string]any); ok {
				errs = append(errs, validateJSON(ps, v[k], path+"."+k)...)
				continue
			}
			switch ap := schema["additionalProperties"].(type) {
			case map[string]any:
				errs = append(errs, validateJSON(ap, v[k], path+"."+k)...)
			case bool:
				if !ap {
					errs = append(errs, fmt.Sprintf("%s: unknown field %q", path, k))
				}
			default:
				// Closed unless the schema opens it.
				errs = append(errs, fmt.Sprintf("%s: unknown field %q", path, k))
			}
		}
	case []any:
		if items, ok := schema["items"].(map[string]any); ok {
			for i, x := range v {
				errs = append(errs, validateJSON(items, x, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return errs
}

func asStrings(v any) []string {
	var out []string
	if a, ok := v.([]any); ok {
		for _, x := range a {
			out = append(out, x.(string))
		}
	}
	return out
}

func jsonTypeOf(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if v == float64(int64(v)) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func hasJSONType(v any, types []string) bool {
	got := jsonTypeOf(v)
	for _, t := range types {
		if t == got || t == "number" && got == "integer" {
			return true
		}
	}
	return false
}

// checkJSONOutput validates out (one JSON value, or one a line) against
// $defs/def; a command that failed before printing its result prints
// $defs/error instead, which is accepted too.
func checkJSONOutput(def string, out []byte, lines bool) []string {
	schema, err := schemaDef(def)
	if err != nil {
		return []string{err.Error()}
	}
	var docs [][]byte
	if lines {
		for _, l := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
			docs = append(docs, l)
		}
	} else {
		docs = [][]byte{out}
	}
	var errs []string
	for i, d := range docs {
		dec := json.NewDecoder(bytes.NewReader(d))
		var v any
		if err := dec.Decode(&v); err != nil {
			errs = append(errs, fmt.Sprintf("document %d is not JSON: %v", i+1, err))
			continue
		}
		if dec.More() {
			errs = append(errs, fmt.Sprintf("document %d: more than one JSON value", i+1))
		}
		s := schema
		if m, ok := v.(map[string]any); ok && len(m) == 1 && m["error"] != nil {
			s, _ = schemaDef("error")
		}
		errs = append(errs, validateJSON(s, v, def)...)
	}
	return errs
}

// cmdJSONSchema is the scripts' `jsonschema [-lines] DEF`: the last
// command's stdout matches $defs/DEF. With MYNACARD_SCHEMA_DUMP=DIR it
// also keeps the output there.
func cmdJSONSchema(ts *testscript.TestScript, neg bool, args []string) {
	lines := len(args) > 0 && args[0] == "-lines"
	if lines {
		args = args[1:]
	}
	if neg || len(args) != 1 {
		ts.Fatalf("usage: jsonschema [-lines] DEF")
	}
	out := []byte(ts.ReadFile("stdout"))
	if dir := os.Getenv("MYNACARD_SCHEMA_DUMP"); dir != "" {
		f, err := os.CreateTemp(dir, args[0]+"-*.json")
		ts.Check(err)
		_, err = f.Write(out)
		ts.Check(err)
		ts.Check(f.Close())
		return
	}
	if errs := checkJSONOutput(args[0], out, lines); len(errs) > 0 {
		ts.Fatalf("stdout does not match $defs/%s:\n%s", args[0], strings.Join(errs, "\n"))
	}
}

// TestJSONSchemaCoverage: every command's schema is used by a script, and
// named in CLI.md's JSON section with each of its top-level fields.
func TestJSONSchemaCoverage(t *testing.T) {
	s, err := jsonSchema()
	if err != nil {
		t.Fatal(err)
	}
	cmds, _ := s["x-commands"].(map[string]any)
	if len(cmds) < 15 {
		t.Fatalf("x-commands names %d commands", len(cmds))
	}
	var scripts []byte
	for _, dir := range []string{"testdata/script", "testdata/pcsc"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.txtar"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			scripts = append(scripts, b...)
		}
	}
	doc, err := os.ReadFile("CLI.md")
	if err != nil {
		t.Fatal(err)
	}
	used := regexp.MustCompile(`(?m)^jsonschema (?:-lines )?(\S+)$`)
	seen := map[string]bool{}
	for _, m := range used.FindAllStringSubmatch(string(scripts), -1) {
		seen[m[1]] = true
		if _, err := schemaDef(m[1]); err != nil {
			t.Error(err)
		}
	}
	for cmd, def := range cmds {
		name := strings.TrimPrefix(def.(string), "#/$defs/")
		if !seen[name] {
			t.Errorf("no script checks the JSON of %q ($defs/%s)", cmd, name)
		}
		if !strings.Contains(string(doc), "`"+cmd+"`") {
			t.Errorf("CLI.md does not describe the JSON of %q", cmd)
		}
		d, _ := schemaDef(name)
		props, _ := d["properties"].(map[string]any)
		for field := range props {
			if !strings.Contains(string(doc), "`"+field+"`") {
				t.Errorf("CLI.md does not name field %q of %q", field, cmd)
			}
		}
	}
}

// TestJSONSchemaValidator: the checker fails what it must.
func TestJSONSchemaValidator(t *testing.T) {
	schema := map[string]any{
		"type":     "object",
		"required": []any{"a"},
		"properties": map[string]any{
			"a": map[string]any{"type": "integer"},
			"b": map[string]any{"enum": []any{"x", "y"}},
			"c": map[string]any{"type": "array", "items": map[string]any{"type": "string", "pattern": "^[0-9a-f]+$"}},
		},
	}
	for _, c := range []struct {
		doc  string
		want int
	}{
		{`{"a": 1, "b": "x", "c": ["0a"]}`, 0},
		{`{"b": "x"}`, 1},
		{`{"a": "1"}`, 1},
		{`{"a": 1.5}`, 1},
		{`{"a": 1, "b": "z"}`, 1},
		{`{"a": 1, "d": true}`, 1},
		{`{"a": 1, "c": ["0A", 3]}`, 2},
	} {
		var v any
		if err := json.Unmarshal([]byte(c.doc), &v); err != nil {
			t.Fatal(err)
		}
		if errs := validateJSON(schema, v, "$"); len(errs) != c.want {
			t.Errorf("%s: %d errors %q, want %d", c.doc, len(errs), errs, c.want)
		}
	}
}
