/// Cohort's version, part of every checkpoint and of the cross-rank configuration hash.
package enum CohortVersion {
    package static let string = "0.1.0"
}
