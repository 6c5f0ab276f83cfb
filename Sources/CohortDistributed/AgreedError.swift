/// An error every rank throws at the same point, after agreeing on it through a collective (a
/// non-finite loss, a bad sample on some rank): rank 0 reports it once and every rank exits
/// normally through `MPI_Finalize` with status 1, instead of the job-wide abort other errors need.
package protocol AgreedError: Error {}
