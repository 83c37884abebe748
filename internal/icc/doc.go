// Package icc reads ICC colour profiles (versions 2 and 4) and converts
// pixels described by them to sRGB, the way Little CMS does towards a v2
// sRGB profile with the perceptual intent, which is what ImageMagick's
// -profile does by default. There is no black point compensation: Little
// CMS forces it for the perceptual intent only towards a v4 profile.
//
// Supported sources are RGB matrix/TRC profiles, gray TRC profiles, and RGB,
// gray or CMYK profiles with an A2B0 lookup table (lut8, lut16 or lutAtoB)
// towards an XYZ or Lab connection space. Floating-point D2B0 tables, which
// Little CMS would prefer, are ignored. As in Little CMS, an A2B0 table is
// preferred over the matrix/TRC tags when a profile has both, and the
// colorant tags are used as stored: Little CMS neither applies the chad tag
// to them nor adapts from the media white point for the perceptual and
// relative colorimetric intents.
//
// A Transform is built once per profile by sampling the whole chain (source
// device values to the profile connection space, then to sRGB through the
// Bradford-adapted sRGB primaries and the inverse sRGB transfer curve) and is
// then applied to 8-bit pixels through tables: per-channel curves and a
// matrix for matrix/TRC profiles, a 3-D or 4-D grid with tetrahedral
// interpolation for lookup-table profiles.
package icc
