// Command compose-check loads a Compose file the way `docker compose` does, with compose-spec/compose-go
// (the loader inside Docker Compose): interpolation, the Compose specification's JSON schema, profiles,
// normalisation and the consistency checks. It prints the resulting project as JSON, so tests can check
// the model without a Docker engine. Exit 1 and the loader's message when the file is invalid.
//
//	compose-check [-profile NAME]... [-env-file FILE]... [-strict] COMPOSE_FILE
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/sirupsen/logrus"
)

type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

// warnings counts what the loader logs at warning level (obsolete keys, unset variables).
type warnings struct{ messages []string }

func (w *warnings) Levels() []logrus.Level { return []logrus.Level{logrus.WarnLevel} }
func (w *warnings) Fire(e *logrus.Entry) error {
	w.messages = append(w.messages, e.Message)
	return nil
}

func main() {
	var profiles, envFiles repeated
	flag.Var(&profiles, "profile", "profile to enable, as docker compose --profile (repeatable)")
	flag.Var(&envFiles, "env-file", "interpolation variables, as docker compose --env-file (repeatable; default: .env beside the file)")
	strict := flag.Bool("strict", false, "fail on loader warnings too")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: compose-check [-profile NAME]... [-env-file FILE]... [-strict] COMPOSE_FILE")
		os.Exit(2)
	}
	project, err := load(flag.Arg(0), profiles, envFiles, *strict)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(append(project, '\n'))
}

func load(file string, profiles, envFiles []string, strict bool) ([]byte, error) {
	seen := &warnings{}
	logrus.AddHook(seen)
	logrus.SetOutput(os.Stderr)
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	options, err := cli.NewProjectOptions([]string{abs},
		cli.WithWorkingDirectory(filepath.Dir(abs)),
		cli.WithOsEnv,
		cli.WithEnvFiles(envFiles...),
		cli.WithDotEnv,
		cli.WithDefaultProfiles(profiles...),
		cli.WithResolvedPaths(true),
		cli.WithConsistency(true),
		// As docker compose does: networks, volumes and secrets no enabled service uses are dropped.
		cli.WithoutUnnecessaryResources,
	)
	if err != nil {
		return nil, err
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		return nil, err
	}
	if strict && len(seen.messages) > 0 {
		return nil, fmt.Errorf("loader warnings: %s", strings.Join(seen.messages, "; "))
	}
	return project.MarshalJSON()
}
