import Foundation

/// How many threads each rank runs (`--threads` unless given), without oversubscribing the node.
package enum ThreadPlan {
    /// `override` (`--threads`) when given; else, when the launcher bound the rank to fewer CPUs
    /// than the node has (`mpirun --bind-to core --map-by ppr:1:socket:pe=N`, `srun --cpu-bind`),
    /// the CPUs it may run on; else `cores / localSize`. Always at least 1.
    package static func threadsPerRank(cores: Int, allowedCPUs: Int? = nil, localSize: Int, override: Int?) -> Int {
        if let override { return max(1, override) }
        if let allowedCPUs, allowedCPUs > 0, allowedCPUs < cores { return allowedCPUs }
        return max(1, cores / max(1, localSize))
    }

    /// This process's threads for a command: the node's cores, this process's CPU affinity and
    /// the ranks sharing the node.
    package static func threadsForThisProcess(localSize: Int, override: Int?) -> Int {
        threadsPerRank(cores: ProcessInfo.processInfo.activeProcessorCount, allowedCPUs: allowedCPUCount(), localSize: localSize,
                       override: override)
    }

    /// How many CPUs this process may run on (`Cpus_allowed_list` in /proc/self/status), or nil
    /// where that is not available.
    package static func allowedCPUCount() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return nil }
        return cpuCount(list: line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces))
    }

    /// The number of CPUs in a Linux CPU list such as "0-3,8,10-11" (nil when malformed).
    package static func cpuCount(list: String) -> Int? {
        var count = 0
        for item in list.split(separator: ",") {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            switch bounds.count {
            case 1: guard bounds[0] != nil else { return nil }; count += 1
            case 2:
                guard let low = bounds[0], let high = bounds[1], high >= low else { return nil }
                count += high - low + 1
            default: return nil
            }
        }
        return count > 0 ? count : nil
    }
}
