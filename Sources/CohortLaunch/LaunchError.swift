/// A problem with what `cohort launch` was given, found before anything runs; names the flag or file at fault.
package struct LaunchError: Error, CustomStringConvertible {
    package let description: String

    package init(_ description: String) {
        self.description = description
    }
}
