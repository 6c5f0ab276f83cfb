/// The `cohort train` arguments a launch runs, made resumable: they must name `--checkpoint-dir`
/// (without it a relaunch could not resume), and `--resume auto` is appended unless `--resume` is given.
package struct TrainArguments: Equatable, Sendable {
    /// The arguments after `train`, as run on every attempt.
    package let arguments: [String]
    /// The value of `--checkpoint-dir`: where checkpoints and `launch.jsonl` go.
    package let checkpointDirectory: String

    package init(_ given: [String]) throws {
        guard let directory = Self.value(of: "--checkpoint-dir", in: given) else {
            throw LaunchError("the train arguments need --checkpoint-dir DIR: without checkpoints a relaunch cannot resume")
        }
        checkpointDirectory = directory
        arguments = Self.value(of: "--resume", in: given) == nil ? given + ["--resume", "auto"] : given
    }

    /// The value of `flag` given as `flag VALUE` or `flag=VALUE` (the last one wins, as in ArgumentParser).
    static func value(of flag: String, in arguments: [String]) -> String? {
        var found: String?
        for (index, argument) in arguments.enumerated() {
            if argument == flag, index + 1 < arguments.count {
                found = arguments[index + 1]
            } else if argument.hasPrefix(flag + "=") {
                found = String(argument.dropFirst(flag.count + 1))
            }
        }
        return found
    }
}
