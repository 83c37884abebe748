package report

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// barThrottle is the least time between two frames of the progress bar,
// unless the work has caught up with the queue.
const barThrottle = 100 * time.Millisecond

// barWidth is the number of cells of the bar itself.
const barWidth = 24

// bar draws a progress bar on one terminal line: the share of the queued
// images that are done, the counts, the rate of completion since the run
// started and the time left at that rate. Each frame starts with a carriage
// return and ends by erasing the rest of the line, so it overwrites the
// last. The total grows as images are queued, and the bar is never
// "finished" by catching up with it: paths that arrive slowly on stdin each
// advance it. Its methods are called from one goroutine.
type bar struct {
	w            io.Writer
	now          func() time.Time
	start, drawn time.Time
	shown        bool // a frame is on the line
	queued, done int
}

func newBar(w io.Writer, now func() time.Time) *bar {
	return &bar{w: w, now: now, start: now()}
}

// queue counts one more image to do.
func (b *bar) queue() {
	b.queued++
	b.update()
}

// update draws a frame when the last is older than barThrottle, or when
// every queued image is done, so the count the bar stops at is the true one.
func (b *bar) update() {
	if !b.shown || b.done >= b.queued || b.now().Sub(b.drawn) >= barThrottle {
		b.draw()
	}
}

// draw writes the current frame over the last.
func (b *bar) draw() {
	b.drawn = b.now()
	b.shown = true
	io.WriteString(b.w, "\r"+b.frame(b.drawn)+"\x1b[K")
}

// clear erases the frame, leaving the cursor at the start of the empty line.
func (b *bar) clear() {
	if b.shown {
		io.WriteString(b.w, "\r\x1b[K")
		b.shown = false
	}
}

// frame returns the text of the bar at time now, such as
//
//	thumbs  40% [=========>--------------] 2/5  3.2 images/s  1s left
func (b *bar) frame(now time.Time) string {
	// The runner may report a result before the queueing of its job.
	total := max(b.queued, b.done)
	share := 0.0
	if total > 0 {
		share = float64(b.done) / float64(total)
	}
	filled := int(share * barWidth)
	cells := strings.Repeat("=", filled)
	if filled < barWidth {
		cells += ">" + strings.Repeat("-", barWidth-filled-1)
	}
	s := fmt.Sprintf("thumbs %3d%% [%s] %d/%d", int(share*100), cells, b.done, total)
	secs := now.Sub(b.start).Seconds()
	if b.done == 0 || secs <= 0 {
		return s
	}
	rate := float64(b.done) / secs
	s += "  " + Rate(rate)
	if left := total - b.done; left > 0 {
		s += "  " + (time.Duration(float64(left) / rate * float64(time.Second))).Round(time.Second).String() + " left"
	}
	return s
}

// Rate formats a number of images per second for people, with one decimal
// below 100 per second: "0.3 images/s", "4.1 images/s", "250 images/s".
func Rate(perSecond float64) string {
	if perSecond >= 100 {
		return fmt.Sprintf("%.0f images/s", perSecond)
	}
	return fmt.Sprintf("%.1f images/s", perSecond)
}
