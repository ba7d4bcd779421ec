package main

import (
	"context"

	"gridgov/internal/app"
	"gridgov/internal/config"
)

// openApp builds the platform from cfg for a subcommand; internal/app is
// where it is wired.
func openApp(ctx context.Context, cfg *config.Config) (*app.App, error) {
	return app.Build(ctx, cfg, app.Options{})
}
