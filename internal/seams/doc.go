// Package seams holds no code: its tests check the boundaries between the engine's packages
// (docs/architecture.md), so that a shortcut across a seam fails the build's tests rather than
// waiting for a reviewer to notice.
package seams
