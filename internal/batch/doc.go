// Package batch turns the paths of a run into thumbnails on disk: it plans
// each source's outputs, skips those already current, does duplicate work
// once, and writes every file atomically without ever touching a source.
package batch
