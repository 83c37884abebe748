package decode

import (
	"bytes"
	"encoding/binary"
	"errors"
)

var errNoSPS = errors.New("no HEVC sequence parameter set")

// hevcSize returns the picture size that the sequence parameter set in an
// hvcC box's payload declares, its conformance window cropped off: the size
// a HEIC image item is coded at, whatever its ispe property says.
func hevcSize(hvcC []byte) (w, h int, err error) {
	raw := hevcSPS(hvcC)
	if raw == nil {
		return 0, 0, errNoSPS
	}
	return spsSize(unescapeNAL(raw))
}

// hevcSPS returns the payload (after the 2-byte NAL unit header) of the
// first sequence parameter set in an hvcC configuration record, as stored,
// or nil when there is none.
func hevcSPS(hvcC []byte) []byte {
	if len(hvcC) < 23 {
		return nil
	}
	p := hvcC[23:]
	for arrays := int(hvcC[22]); arrays > 0; arrays-- {
		if len(p) < 3 {
			return nil
		}
		typ, n := p[0]&0x3f, int(p[1])<<8|int(p[2])
		p = p[3:]
		for ; n > 0; n-- {
			if len(p) < 2 {
				return nil
			}
			size := int(p[0])<<8 | int(p[1])
			if len(p) < 2+size {
				return nil
			}
			if typ == 33 && size > 2 {
				return p[4 : 2+size]
			}
			p = p[2+size:]
		}
	}
	return nil
}

// unescapeNAL removes the emulation prevention bytes (0x03 after 0x0000) of a NAL unit payload.
func unescapeNAL(b []byte) []byte {
	out := make([]byte, 0, len(b))
	zeros := 0
	for _, c := range b {
		if zeros >= 2 && c == 3 {
			zeros = 0
			continue
		}
		out = append(out, c)
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}

// skip passes over n bits.
func (r *bitReader) skip(n int) { r.pos += n }

// ue reads an unsigned Exp-Golomb number (H.265 9.2).
func (r *bitReader) ue() uint64 {
	zeros := 0
	for r.f(1) == 0 && !r.bad && zeros < 32 {
		zeros++
	}
	return 1<<zeros - 1 + r.f(zeros)
}

// spsSize reads the picture size and conformance window of an HEVC
// seq_parameter_set_rbsp (H.265 7.3.2.2).
func spsSize(b []byte) (w, h int, err error) {
	r := &bitReader{b: b}
	width, height, _ := spsStart(r)
	if r.bad || width == 0 || height == 0 || width > 1<<28 || height > 1<<28 {
		return 0, 0, errNoSPS
	}
	return int(width), int(height), nil
}

// spsStart reads a seq_parameter_set_rbsp (H.265 7.3.2.2) from its start
// through its conformance window, leaving r just after it, and returns the
// picture size with the window cropped off and sps_max_sub_layers_minus1.
// A window larger than the picture sets r.bad.
func spsStart(r *bitReader) (width, height uint64, subLayers int) {
	r.f(4) // sps_video_parameter_set_id
	subLayers = int(r.f(3))
	r.f(1)  // sps_temporal_id_nesting_flag
	r.f(96) // general profile, tier and level
	var profile, level [8]bool
	for i := range subLayers {
		profile[i], level[i] = r.f(1) == 1, r.f(1) == 1
	}
	if subLayers > 0 {
		r.f(2 * (8 - subLayers)) // reserved_zero_2bits
	}
	for i := range subLayers {
		if profile[i] {
			r.f(88)
		}
		if level[i] {
			r.f(8)
		}
	}
	r.ue() // sps_seq_parameter_set_id
	chroma := r.ue()
	if chroma == 3 && r.f(1) == 1 { // separate_colour_plane_flag
		chroma = 0
	}
	width, height = r.ue(), r.ue()
	if r.f(1) == 1 { // conformance_window_flag
		sx, sy := uint64(1), uint64(1)
		switch chroma {
		case 1:
			sx, sy = 2, 2
		case 2:
			sx = 2
		}
		left, right, top, bottom := r.ue(), r.ue(), r.ue(), r.ue()
		if crop := sx * (left + right); crop < width {
			width -= crop
		} else {
			r.bad = true
		}
		if crop := sy * (top + bottom); crop < height {
			height -= crop
		} else {
			r.bad = true
		}
	}
	return width, height, subLayers
}

// heicForLibheif returns data for the HEIC decoder, in a copy where the
// file must be changed for libheif as gen2brain/heic builds it to read it
// as libheif reads it in ImageMagick and vipsthumbnail. Two fields are
// changed in place, so that nothing moves:
//   - an hvcC property that says its HEVC stream is monochrome
//     (chroma_format_idc 0) says 4:2:0 instead: asked for the monochrome
//     picture, the decode function asks libheif for YCbCr with monochrome
//     chroma, which libheif cannot convert, whereas told 4:2:0, libheif
//     decodes the stream and converts it to YCbCr with neutral chroma;
//   - a pixi property that gives one channel to an item whose hvcC says
//     the stream has chroma becomes a property of an unknown type, which
//     libheif ignores: libheif 1.18 believes pixi and asks for a
//     monochrome picture it then fails to make, where older versions
//     (and the HEVC stream) say colour.
//
// Other files are returned as they are.
func heicForLibheif(data []byte) []byte {
	meta := find(boxes(data), "meta")
	if len(meta) < 4 {
		return data
	}
	mb := boxes(meta[4:])
	iprp := boxes(find(mb, "iprp"))
	props := boxes(find(iprp, "ipco"))
	ipma := find(iprp, "ipma")
	out, copied := data, false
	patch := func(p box, at int, v byte) {
		if !copied {
			out, copied = bytes.Clone(data), true
		}
		// boxes only reslices data, so the capacities tell where p is.
		out[cap(data)-cap(p.data)+at] = v
	}
	for _, id := range ipmaItems(ipma) {
		hvcC, pixi := -1, -1
		for _, i := range primaryProps(ipma, id) {
			if i < 1 || i > len(props) {
				continue
			}
			switch props[i-1].typ {
			case "hvcC":
				hvcC = i - 1
			case "pixi":
				pixi = i - 1
			}
		}
		// The chroma format is the low two bits of the 17th byte of the
		// HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1); pixi
		// is a full box whose fifth byte is the number of channels.
		if hvcC < 0 || len(props[hvcC].data) < 17 {
			continue
		}
		chroma := props[hvcC].data[16] & 3
		if pixi >= 0 && chroma != 0 && len(props[pixi].data) >= 5 && props[pixi].data[4] == 1 {
			// The type is the four bytes before the payload.
			patch(props[pixi], -1, 'X')
		}
		if chroma == 0 {
			patch(props[hvcC], 16, props[hvcC].data[16]|1)
		}
	}
	return out
}

// ipmaItems returns the item IDs that an ipma box has entries for.
func ipmaItems(ipma []byte) []uint32 {
	if len(ipma) < 8 {
		return nil
	}
	version, flags := ipma[0], ipma[3]
	count := binary.BigEndian.Uint32(ipma[4:])
	p := ipma[8:]
	var ids []uint32
	for e := uint32(0); e < count; e++ {
		var item uint32
		if version < 1 {
			if len(p) < 3 {
				return ids
			}
			item, p = uint32(binary.BigEndian.Uint16(p)), p[2:]
		} else {
			if len(p) < 5 {
				return ids
			}
			item, p = binary.BigEndian.Uint32(p), p[4:]
		}
		n := int(p[0])
		p = p[1:]
		if flags&1 != 0 {
			n *= 2
		}
		if len(p) < n {
			return ids
		}
		ids = append(ids, item)
		p = p[n:]
	}
	return ids
}
