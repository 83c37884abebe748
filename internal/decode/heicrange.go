package decode

import (
	"errors"
)

// heicLimitedRange reports whether the primary image of the HEIC file b is
// a coded HEVC image (not a grid or overlay, which libheif composes) with
// no nclx colour property (libheif acts on one itself) whose sequence
// parameter set says its samples are limited range ("studio swing", luma
// 16-235), which is the HEVC default. github.com/gen2brain/heic returns
// the decoder's YCbCr planes of such an image untouched, and Go converts
// YCbCr as full range, so it must be stretched (fromStudioSwing). It
// reports false whenever it cannot tell.
func heicLimitedRange(b []byte) bool {
	var hvcC, nclx []byte
	for _, p := range primaryItemProps(b) {
		switch {
		case p.typ == "hvcC":
			hvcC = p.data
		case p.typ == "colr" && len(p.data) >= 11 && string(p.data[:4]) == "nclx":
			nclx = p.data
		}
	}
	if hvcC == nil || nclx != nil {
		return false // a derived image, not HEVC, or one libheif converts
	}
	full, err := hevcFullRange(hvcC)
	return err == nil && !full
}

var errSPS = errors.New("unreadable HEVC sequence parameter set")

// hevcFullRange returns the video_full_range_flag of the first sequence
// parameter set in an hvcC configuration record (false, the default, when
// the set carries no video signal type). It gives up, with an error, on a
// set with scaling lists, which it does not parse.
func hevcFullRange(hvcC []byte) (bool, error) {
	raw := hevcSPS(hvcC)
	if raw == nil {
		return false, errSPS
	}
	full, _, err := spsFullRange(unescapeNAL(raw))
	return full, err
}

// spsFullRange reads a sequence parameter set (H.265 7.3.2.2) up to the
// video signal type of its VUI and returns its video_full_range_flag and
// the flag's bit index in rbsp (-1 when the set has no video signal type).
func spsFullRange(rbsp []byte) (full bool, bit int, err error) {
	full, bit, _, err = spsVideoSignal(rbsp)
	return full, bit, err
}

// hevcMatrix returns the matrix_coefficients of the first sequence
// parameter set in an hvcC configuration record: 2 (unspecified) when the
// set carries no colour description.
func hevcMatrix(hvcC []byte) (int, error) {
	raw := hevcSPS(hvcC)
	if raw == nil {
		return 0, errSPS
	}
	_, _, matrix, err := spsVideoSignal(unescapeNAL(raw))
	return matrix, err
}

// spsVideoSignal reads a sequence parameter set as spsFullRange does, and
// also returns the matrix_coefficients of its colour description (2,
// unspecified, when it has none).
func spsVideoSignal(rbsp []byte) (full bool, bit, matrix int, err error) {
	matrix = 2
	r := &bitReader{b: rbsp}
	_, _, subLayers := spsStart(r)
	r.ue() // bit depths
	r.ue()
	pocBits := int(r.ue()) + 4
	first := subLayers
	if r.f(1) == 1 {
		first = 0
	}
	for i := first; i <= subLayers; i++ {
		r.ue()
		r.ue()
		r.ue()
	}
	for range 6 {
		r.ue() // block sizes and transform hierarchy depths
	}
	if r.f(1) == 1 && r.f(1) == 1 { // scaling lists given in the SPS
		return false, -1, 0, errSPS
	}
	r.skip(2)        // amp, sample adaptive offset
	if r.f(1) == 1 { // pcm
		r.skip(8)
		r.ue()
		r.ue()
		r.skip(1)
	}
	sets := int(r.ue())
	if sets > 64 || !r.skipShortTermRefPicSets(sets) {
		return false, -1, 0, errSPS
	}
	if r.f(1) == 1 { // long-term reference pictures
		n := int(r.ue())
		if n > 32 {
			return false, -1, 0, errSPS
		}
		r.skip(n * (pocBits + 1))
	}
	r.skip(2) // temporal MVP, strong intra smoothing
	bit = -1
	if r.f(1) == 1 { // VUI
		if r.f(1) == 1 && r.f(8) == 255 { // aspect ratio
			r.skip(32)
		}
		if r.f(1) == 1 { // overscan
			r.skip(1)
		}
		if r.f(1) == 1 { // video signal type
			r.skip(3)
			bit = r.pos
			full = r.f(1) == 1
			if r.f(1) == 1 { // colour description
				r.skip(16) // primaries, transfer
				matrix = int(r.f(8))
			}
		}
	}
	if r.bad {
		return false, -1, 0, errSPS
	}
	return full, bit, matrix, nil
}

// skipShortTermRefPicSets reads past n st_ref_pic_set structures of a
// sequence parameter set (H.265 7.3.7), reporting whether they were sound.
func (r *bitReader) skipShortTermRefPicSets(n int) bool {
	deltaPocs := make([]int, n) // NumDeltaPocs of each set
	for i := range n {
		if i > 0 && r.f(1) == 1 { // predicted from the set before
			r.skip(1) // delta_rps_sign
			r.ue()    // abs_delta_rps_minus1
			kept := 0
			for j := 0; j <= deltaPocs[i-1]; j++ {
				used := r.f(1) == 1
				if used || r.f(1) == 1 {
					kept++
				}
			}
			deltaPocs[i] = kept
		} else {
			neg, pos := int(r.ue()), int(r.ue())
			if neg > 16 || pos > 16 {
				return false
			}
			for range neg + pos {
				r.ue()
				r.skip(1)
			}
			deltaPocs[i] = neg + pos
		}
		if r.bad {
			return false
		}
	}
	return true
}
