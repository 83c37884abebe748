package bmp

// profileEmbedded is the V5 colour space type of a file that carries its ICC
// profile, "MBED" as a little-endian number.
const profileEmbedded = 0x4d424544

// ICCProfile returns the ICC profile embedded in a BMP file with a V5 header,
// or nil when there is none or its bounds lie outside data. The result
// shares data's memory.
func ICCProfile(data []byte) []byte {
	base := 0
	if len(data) >= 2 && string(data[:2]) == "BA" {
		base = 14
	}
	info := base + fileHeaderSize
	if len(data) < info+124 || string(data[base:base+2]) != "BM" || le32(data[info:]) < 124 {
		return nil
	}
	if le32(data[info+56:]) != profileEmbedded {
		return nil
	}
	// The profile's offset counts from the start of the info header.
	start := int64(info) + int64(le32(data[info+112:]))
	end := start + int64(le32(data[info+116:]))
	if end <= start || end > int64(len(data)) {
		return nil
	}
	return data[start:end]
}
