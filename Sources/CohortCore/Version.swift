/// Cohort's version, part of every checkpoint and of the cross-rank configuration hash.
public enum CohortVersion {
    public static let string = "0.1.0"
}
