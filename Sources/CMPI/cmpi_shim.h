#ifndef CMPI_SHIM_H
#define CMPI_SHIM_H
// MPI's predefined handles are macros Swift cannot import; expose them as inline functions.
// Works for OpenMPI (pointer handles) and MPICH (int handles): no nullability annotations.
#include <mpi.h>
static inline MPI_Comm     cmpi_comm_world(void)    { return MPI_COMM_WORLD; }
static inline MPI_Comm     cmpi_comm_null(void)     { return MPI_COMM_NULL; }
static inline MPI_Datatype cmpi_float(void)         { return MPI_FLOAT; }
static inline MPI_Datatype cmpi_double(void)        { return MPI_DOUBLE; }
static inline MPI_Datatype cmpi_int32(void)         { return MPI_INT32_T; }
static inline MPI_Datatype cmpi_int64(void)         { return MPI_INT64_T; }
static inline MPI_Datatype cmpi_byte(void)          { return MPI_BYTE; }
static inline MPI_Op       cmpi_op_sum(void)        { return MPI_SUM; }
static inline MPI_Op       cmpi_op_max(void)        { return MPI_MAX; }
static inline MPI_Op       cmpi_op_min(void)        { return MPI_MIN; }
static inline MPI_Request  cmpi_request_null(void)  { return MPI_REQUEST_NULL; }
static inline MPI_Errhandler cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline void        *cmpi_in_place(void)      { return MPI_IN_PLACE; }
static inline MPI_Status  *cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Status  *cmpi_statuses_ignore(void) { return MPI_STATUSES_IGNORE; }
static inline MPI_Info     cmpi_info_null(void)     { return MPI_INFO_NULL; }
static inline int          cmpi_comm_type_shared(void) { return MPI_COMM_TYPE_SHARED; }
static inline int          cmpi_any_source(void)    { return MPI_ANY_SOURCE; }

// Sums of 16-bit floats for compressed gradient allreduce: each pairwise combine widens both
// operands to float, adds, and rounds back to nearest even. bf16 = the top half of a float32;
// fp16 = IEEE binary16 (_Float16). The ops are created once per process, after MPI_Init.
static inline float cmpi_bf16_to_float(unsigned short h) {
  union { unsigned int u; float f; } v; v.u = (unsigned int)h << 16; return v.f;
}
static inline unsigned short cmpi_float_to_bf16(float f) {
  union { unsigned int u; float f; } v; v.f = f;
  if ((v.u & 0x7fffffffu) > 0x7f800000u) return (unsigned short)((v.u >> 16) | 0x40);  // NaN stays NaN
  return (unsigned short)((v.u + 0x7fffu + ((v.u >> 16) & 1u)) >> 16);
}
static void cmpi_sum_bf16(void *in, void *inout, int *len, MPI_Datatype *type) {
  (void)type;
  const unsigned short *a = (const unsigned short *)in; unsigned short *b = (unsigned short *)inout;
  for (int i = 0; i < *len; i++) b[i] = cmpi_float_to_bf16(cmpi_bf16_to_float(a[i]) + cmpi_bf16_to_float(b[i]));
}
static void cmpi_sum_fp16(void *in, void *inout, int *len, MPI_Datatype *type) {
  (void)type;
  const _Float16 *a = (const _Float16 *)in; _Float16 *b = (_Float16 *)inout;
  for (int i = 0; i < *len; i++) b[i] = (_Float16)((float)a[i] + (float)b[i]);
}
static inline MPI_Datatype cmpi_uint16(void)        { return MPI_UINT16_T; }
/// The MPI_Op summing bf16 (0) or fp16 (1) values; created on first use.
static inline MPI_Op cmpi_op_sum_half(int fp16) {
  static MPI_Op ops[2];
  static int created[2];
  if (!created[fp16]) { MPI_Op_create(fp16 ? cmpi_sum_fp16 : cmpi_sum_bf16, 1, &ops[fp16]); created[fp16] = 1; }
  return ops[fp16];
}
#endif
