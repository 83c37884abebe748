package decode

import (
	"encoding/binary"
	"errors"
	"fmt"
)

var errNoSequenceHeader = errors.New("no AV1 sequence header")

// av1Size returns the maximum frame size that the AV1 sequence header OBU
// among obus (the configOBUs of an av1C box) declares: an AVIF picture is
// coded at that size, whatever its ispe property says.
func av1Size(obus []byte) (w, h int, err error) {
	for len(obus) >= 2 {
		hdr := obus[0]
		typ, ext, hasSize := hdr>>3&15, hdr&4 != 0, hdr&2 != 0
		p := 1
		if ext {
			p++
		}
		size := len(obus) - p
		if hasSize {
			v, n := leb128(obus[p:])
			if n == 0 {
				return 0, 0, errNoSequenceHeader
			}
			p += n
			if v > uint64(len(obus)-p) {
				return 0, 0, errNoSequenceHeader
			}
			size = int(v)
		}
		if p > len(obus) {
			return 0, 0, errNoSequenceHeader
		}
		if typ == 1 {
			return sequenceHeaderSize(obus[p : p+size])
		}
		obus = obus[p+size:]
	}
	return 0, 0, errNoSequenceHeader
}

// leb128 decodes an unsigned LEB128 number, returning it and its length,
// or a length of 0 when it is malformed.
func leb128(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < 8 && i < len(b); i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}

// bitReader reads bits most significant first; reading past the end
// sets bad and gives zeros.
type bitReader struct {
	b   []byte
	pos int
	bad bool
}

func (r *bitReader) f(n int) uint64 {
	var v uint64
	for range n {
		if r.pos >= 8*len(r.b) {
			r.bad = true
			return 0
		}
		v = v<<1 | uint64(r.b[r.pos/8]>>(7-r.pos%8)&1)
		r.pos++
	}
	return v
}

// uvlc reads an AV1 variable-length unsigned number (AV1 4.10.3).
func (r *bitReader) uvlc() {
	zeros := 0
	for r.f(1) == 0 && !r.bad {
		zeros++
	}
	if zeros < 32 {
		r.f(zeros)
	}
}

// sequenceHeaderSize reads max_frame_width_minus_1 and
// max_frame_height_minus_1 of a sequence_header_obu (AV1 5.5.1).
func sequenceHeaderSize(b []byte) (w, h int, err error) {
	r := &bitReader{b: b}
	r.f(3) // seq_profile
	r.f(1) // still_picture
	if reduced := r.f(1); reduced == 1 {
		r.f(5) // seq_level_idx[0]
	} else {
		decoderModel, bufferDelayBits := false, 0
		if timingInfo := r.f(1); timingInfo == 1 {
			r.f(32) // num_units_in_display_tick
			r.f(32) // time_scale
			if r.f(1) == 1 {
				r.uvlc() // num_ticks_per_picture_minus_1
			}
			if decoderModel = r.f(1) == 1; decoderModel {
				bufferDelayBits = int(r.f(5)) + 1
				r.f(32) // num_units_in_decoding_tick
				r.f(5)  // buffer_removal_time_length_minus_1
				r.f(5)  // frame_presentation_time_length_minus_1
			}
		}
		initialDisplayDelay := r.f(1) == 1
		for i := r.f(5); i != ^uint64(0) && !r.bad; i-- {
			r.f(12) // operating_point_idc
			if r.f(5) > 7 {
				r.f(1) // seq_tier
			}
			if decoderModel && r.f(1) == 1 {
				r.f(bufferDelayBits) // decoder_buffer_delay
				r.f(bufferDelayBits) // encoder_buffer_delay
				r.f(1)               // low_delay_mode_flag
			}
			if initialDisplayDelay && r.f(1) == 1 {
				r.f(4) // initial_display_delay_minus_1
			}
		}
	}
	wbits, hbits := int(r.f(4))+1, int(r.f(4))+1
	w, h = int(r.f(wbits))+1, int(r.f(hbits))+1
	if r.bad {
		return 0, 0, errNoSequenceHeader
	}
	return w, h, nil
}

// avifMatrixNames are the matrix coefficients (ITU-T H.273) whose YCbCr
// libavif does not convert to RGB: it refuses such a picture.
var avifMatrixNames = map[int]string{
	10: "BT.2020 constant luminance",
	11: "SMPTE ST 2085",
	13: "chromaticity-derived constant luminance",
	14: "ICtCp",
}

// avifUnsupportedMatrix returns the reason libavif refuses the AVIF file
// b when the nclx colour property of its primary item names matrix
// coefficients that libavif cannot convert, or nil.
func avifUnsupportedMatrix(b []byte) error {
	for _, p := range primaryItemProps(b) {
		if p.typ != "colr" || len(p.data) < 11 || string(p.data[:4]) != "nclx" {
			continue
		}
		m := int(binary.BigEndian.Uint16(p.data[8:]))
		if name, ok := avifMatrixNames[m]; ok {
			return fmt.Errorf("matrix coefficients %d (%s) are not supported", m, name)
		}
	}
	return nil
}
