// Command promql-inspect parses PromQL expressions with Prometheus's own parser and reports what
// each one reads, so that the tests can check the dashboard and the alerts against the metrics
// gracekeeper exports.
//
// Input (stdin): a JSON array of {"id": string, "expr": string}.
// Output (stdout): a JSON array of {"id", "error", "metrics", "matchers", "grouping"}: the metric
// names of every vector and matrix selector, their label matchers other than __name__, and the
// label names of every by/without clause, each with the metrics it aggregates.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

type input struct {
	ID   string `json:"id"`
	Expr string `json:"expr"`
}

type matcher struct {
	Metric string `json:"metric"`
	Label  string `json:"label"`
	Type   string `json:"type"`
	Value  string `json:"value"`
}

type grouping struct {
	Labels  []string `json:"labels"`
	Without bool     `json:"without"`
	Metrics []string `json:"metrics"`
}

type output struct {
	ID       string     `json:"id"`
	Error    string     `json:"error,omitempty"`
	Metrics  []string   `json:"metrics"`
	Matchers []matcher  `json:"matchers"`
	Grouping []grouping `json:"grouping"`
}

func metricsOf(node parser.Node) []string {
	set := map[string]bool{}
	parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			set[nameOf(vs)] = true
		}
		return nil
	})
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func nameOf(vs *parser.VectorSelector) string {
	if vs.Name != "" {
		return vs.Name
	}
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName {
			return m.Value
		}
	}
	return ""
}

func inspect(in input) output {
	out := output{ID: in.ID, Metrics: []string{}, Matchers: []matcher{}, Grouping: []grouping{}}
	expr, err := parser.NewParser(parser.Options{}).ParseExpr(in.Expr)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	out.Metrics = metricsOf(expr)
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		switch e := n.(type) {
		case *parser.VectorSelector:
			for _, m := range e.LabelMatchers {
				if m.Name != labels.MetricName {
					out.Matchers = append(out.Matchers, matcher{nameOf(e), m.Name, m.Type.String(), m.Value})
				}
			}
		case *parser.AggregateExpr:
			if len(e.Grouping) > 0 {
				out.Grouping = append(out.Grouping, grouping{e.Grouping, e.Without, metricsOf(e.Expr)})
			}
		}
		return nil
	})
	return out
}

func main() {
	var inputs []input
	if err := json.NewDecoder(os.Stdin).Decode(&inputs); err != nil {
		fmt.Fprintf(os.Stderr, "promql-inspect: reading stdin: %v\n", err)
		os.Exit(2)
	}
	outputs := make([]output, 0, len(inputs))
	for _, in := range inputs {
		outputs = append(outputs, inspect(in))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(outputs); err != nil {
		fmt.Fprintf(os.Stderr, "promql-inspect: %v\n", err)
		os.Exit(1)
	}
}
