// gocni-load: loads CNI folders exactly as containerd does, with containerd's own go-cni and
// libcni, so the dashboard's primary selection can be judged against them
// (GoCniDifferentialTests). Built with Debian's packages, in GOPATH mode:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o OUT/gocni-load main.go
//
// Usage: gocni-load ROOT — every subfolder of ROOT is one CNI folder; one JSON line per folder on
// stdout, in the order of the subfolders' names:
//
//	{"case":"c00042","primary":"05-x.conflist","primaryHex":"30352d…","outcome":"loaded|invalid|noConfig|readError","chain":["bridge"],"error":"…"}
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	gocni "github.com/containerd/go-cni"
	cnilibrary "github.com/containernetworking/cni/libcni"
)

type result struct {
	Case    string `json:"case"`
	Primary string `json:"primary"`
	// The primary's name bytes in hex: the JSON string above replaces bytes that are not UTF-8.
	PrimaryHex string   `json:"primaryHex"`
	Outcome    string   `json:"outcome"`
	Chain      []string `json:"chain"`
	Error      string   `json:"error,omitempty"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gocni-load ROOT")
		os.Exit(64)
	}
	root := os.Args[1]
	cases, err := os.ReadDir(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(66)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	encoder := json.NewEncoder(out)
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		if err := encoder.Encode(load(c.Name(), filepath.Join(root, c.Name()))); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

func load(name, dir string) result {
	r := result{Case: name, Chain: []string{}}

	// The file the runtime tries first: what go-cni's loadFromConfDir lists and sorts before it
	// loads the first entry (go-cni does not report the file it picked).
	files, err := cnilibrary.ConfFiles(dir, []string{".conf", ".conflist", ".json"})
	if err == nil && len(files) > 0 {
		sort.Strings(files)
		r.Primary = filepath.Base(files[0])
		r.PrimaryHex = hex.EncodeToString([]byte(r.Primary))
	}

	c, err := gocni.New(gocni.WithPluginConfDir(dir), gocni.WithMinNetworkCount(1))
	if err != nil {
		r.Outcome, r.Error = "newFailed", err.Error()
		return r
	}
	err = c.Load(gocni.WithDefaultConf)
	// Load wraps the cause with %v, not %w, so errors.Is cannot see it: go by the sentinel's text.
	switch {
	case err == nil:
		r.Outcome = "loaded"
	case strings.Contains(err.Error(), gocni.ErrInvalidConfig.Error()):
		r.Outcome = "invalid"
	case strings.Contains(err.Error(), gocni.ErrCNINotInitialized.Error()):
		r.Outcome = "noConfig"
	case strings.Contains(err.Error(), gocni.ErrRead.Error()):
		r.Outcome = "readError"
	default:
		r.Outcome = "otherError"
	}
	if err != nil {
		r.Error = err.Error()
		return r
	}
	if status := c.Status(); status != nil {
		r.Outcome, r.Error = "notReady", status.Error()
		return r
	}
	for _, network := range c.GetConfig().Networks {
		for _, plugin := range network.Config.Plugins {
			r.Chain = append(r.Chain, plugin.Network.Type)
		}
		break // WithDefaultConf loads one network: the primary
	}
	return r
}
