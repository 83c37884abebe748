// Package png reads PNG streams: it walks their chunks, and decodes their
// pixels row by row into planes box-shrunk as the rows arrive, so that only
// a few rows of full width are held at once.
package png
