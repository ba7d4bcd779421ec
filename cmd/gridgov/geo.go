package main

import (
	"context"
	"fmt"
	"gridgov/internal/app"
	"io"
	"os"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/geo/atlas"
)

const geoUsage = `usage: gridgov geo import --target grids|units --code-property P [--name-property P]
                          [--crs wgs84|gcj02] [--format geojson|shapefile] [--source TEXT]
                          [--dry-run] [--data DIR] FILE
       gridgov geo export --target grids|units [--format geojson|shapefile] --out FILE [--data DIR]

import sets the boundaries of existing grids or units from a GeoJSON file or a
Shapefile zip (format guessed from the name: .zip is a shapefile). Every
feature is checked and reported; nothing is written unless all features are
valid. export writes every grid or territory unit with its boundary.`

// runGeo handles "geo import" and "geo export". Exit codes: 0 done, 1 bad
// features or a failure, 2 usage error.
func runGeo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		fmt.Fprintln(stderr, geoUsage)
		return 2
	}
	name := "geo " + args[0]
	fs, cfg := newFlags(name, stderr)
	target := fs.String("target", "", "grids or units (required)")
	format := fs.String("format", "", "geojson or shapefile (import: default by file name; export: geojson)")
	fs.Usage = func() { fmt.Fprintln(stderr, geoUsage+"\n\nflags:"); fs.PrintDefaults() }
	var codeProp, nameProp, crs, source, out *string
	var dryRun *bool
	if args[0] == "import" {
		codeProp = fs.String("code-property", "", "feature property holding the code (required)")
		nameProp = fs.String("name-property", "", "feature property holding the name (reported only)")
		crs = fs.String("crs", "wgs84", "coordinates of the file: wgs84 or gcj02")
		source = fs.String("source", "", "stored as the boundary source (default import)")
		dryRun = fs.Bool("dry-run", false, "check and report, write nothing")
	} else {
		out = fs.String("out", "", "file to write (required)")
	}
	pos, code, done := parseInterleaved(fs, args[1:])
	if done {
		return code
	}
	if problem := checkGeoArgs(args[0], *target, pos, out); problem != "" {
		fmt.Fprintf(stderr, "gridgov %s: %s\n\n%s\n", name, problem, geoUsage)
		return 2
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return fail(stderr, name, err)
	}
	defer a.Close()
	ctx = cliContext(ctx, "cli")
	if args[0] == "export" {
		return geoExport(ctx, a, *target, *format, *out, stdout, stderr)
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return fail(stderr, name, err)
	}
	if *format == "" {
		*format = atlas.FormatGeoJSON
		if strings.HasSuffix(strings.ToLower(pos[0]), ".zip") {
			*format = atlas.FormatShapefile
		}
	}
	rep, err := a.Geo.Import(ctx, atlas.ImportRequest{Target: *target, Format: *format, Data: data,
		CodeProperty: *codeProp, NameProperty: *nameProp, CRS: *crs, Source: *source, DryRun: *dryRun})
	if err != nil {
		if ae := apperr.As(err); ae.Code != apperr.Internal {
			fmt.Fprintf(stderr, "gridgov %s: %s; nothing was imported\n", name, describe(ae))
			return 1
		}
		return fail(stderr, name, err)
	}
	for _, f := range rep.Features {
		if f.Error != "" {
			fmt.Fprintf(stderr, "%s: feature %d (%s): %s\n", pos[0], f.Index, f.Code, f.Error)
		}
	}
	fmt.Fprintln(stdout, rep.Message)
	if rep.Invalid > 0 {
		return 1
	}
	return 0
}

// describe is an error's message with its field problems.
func describe(e *apperr.Error) string {
	s := e.Message
	for k, v := range e.Fields {
		s += fmt.Sprintf(" (%s: %s)", k, v)
	}
	return s
}

// checkGeoArgs returns what is wrong with the arguments, or "".
func checkGeoArgs(cmd, target string, pos []string, out *string) string {
	switch {
	case target != atlas.TargetGrids && target != atlas.TargetUnits:
		return "--target must be grids or units"
	case cmd == "import" && len(pos) != 1:
		return fmt.Sprintf("want one file, got %d arguments", len(pos))
	case cmd == "export" && len(pos) != 0:
		return "export takes no arguments; name the file with --out"
	case cmd == "export" && *out == "":
		return "--out is required"
	}
	return ""
}

// geoExport writes the export file.
func geoExport(ctx context.Context, a *app.App, target, format, out string, stdout, stderr io.Writer) int {
	f, err := a.Geo.Export(ctx, target, format)
	if err != nil {
		if ae := apperr.As(err); ae.Code != apperr.Internal {
			fmt.Fprintf(stderr, "gridgov geo export: %s\n", describe(ae))
			return 1
		}
		return fail(stderr, "geo export", err)
	}
	if err := os.WriteFile(out, f.Data, 0o644); err != nil {
		return fail(stderr, "geo export", err)
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", out, len(f.Data))
	return 0
}
