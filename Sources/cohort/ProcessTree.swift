import Foundation

/// A process and its descendants as seen in /proc at one instant, so that a launched job's whole
/// tree (mpirun, its rsh/ssh agents, local daemons and ranks) can be killed even after the root
/// has exited and its children were re-parented.
struct ProcessTree {
    /// A process identified by PID and start time, so a reused PID is never signalled.
    struct Member: Hashable {
        let pid: pid_t
        let startTime: UInt64
    }

    let members: Set<Member>

    /// `root` and every descendant now alive.
    init(root: pid_t) {
        let table = Self.table()
        var found: Set<Member> = []
        var frontier = [root]
        while let pid = frontier.popLast() {
            guard let entry = table[pid] else { continue }
            found.insert(Member(pid: pid, startTime: entry.startTime))
            frontier += table.filter { $0.value.parent == pid }.map(\.key)
        }
        members = found
    }

    private init(members: Set<Member>) {
        self.members = members
    }

    /// The members of both trees.
    func union(_ other: ProcessTree) -> ProcessTree { ProcessTree(members: members.union(other.members)) }

    /// Sends `signal` to every member still alive (same PID and start time).
    func signal(_ signal: Int32) {
        let table = Self.table()
        for member in members where table[member.pid]?.startTime == member.startTime {
            kill(member.pid, signal)
        }
    }

    /// Parent and start time of every process, from /proc/PID/stat (fields 4 and 22).
    private static func table() -> [pid_t: (parent: pid_t, startTime: UInt64)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var table: [pid_t: (parent: pid_t, startTime: UInt64)] = [:]
        for pid in entries.compactMap({ pid_t($0) }) {
            guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/stat"),
                  let close = raw.lastIndex(of: UInt8(ascii: ")")) else { continue }
            // After "pid (comm) ": state, ppid, …; starttime is field 22 overall, the 20th after comm.
            let fields = String(decoding: raw[(close + 2)...], as: UTF8.self).split(separator: " ")
            guard fields.count > 19, let parent = pid_t(fields[1]), let start = UInt64(fields[19]) else { continue }
            table[pid] = (parent, start)
        }
        return table
    }
}
