/* dactran IN OUT DCL DCU ACK [progressive]: losslessly transcode IN to an
   arithmetic-coded OUT with DAC conditioning L=DCL, U=DCU (DC tables 0 and 1)
   and Kx=ACK (AC tables 0 and 1). */
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>
int main(int argc, char **argv) {
  struct jpeg_decompress_struct in; struct jpeg_compress_struct out;
  struct jpeg_error_mgr e1, e2;
  FILE *fi = fopen(argv[1], "rb"), *fo = fopen(argv[2], "wb");
  in.err = jpeg_std_error(&e1); jpeg_create_decompress(&in);
  out.err = jpeg_std_error(&e2); jpeg_create_compress(&out);
  jpeg_stdio_src(&in, fi); jpeg_read_header(&in, TRUE);
  jvirt_barray_ptr *coef = jpeg_read_coefficients(&in);
  jpeg_copy_critical_parameters(&in, &out);
  out.arith_code = TRUE;
  for (int t = 0; t < 2; t++) {
    out.arith_dc_L[t] = atoi(argv[3]); out.arith_dc_U[t] = atoi(argv[4]);
    out.arith_ac_K[t] = atoi(argv[5]);
  }
  if (argc > 6) jpeg_simple_progression(&out);
  jpeg_stdio_dest(&out, fo);
  jpeg_write_coefficients(&out, coef);
  jpeg_finish_compress(&out); jpeg_finish_decompress(&in);
  fclose(fo); return 0;
}
