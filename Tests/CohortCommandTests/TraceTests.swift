import CohortTestSupport
import Foundation
import Testing

/// `--trace FILE` writes one Chrome trace-event JSON with every rank's tracks, and `cohort bench`
/// reports the serial fraction of a rank with several threads.
@Suite(.serialized) struct TraceTests {
    @Test func twoRankTraceIsChromeJSONWithBothRanksTracks() throws {
        let file = TemporaryDirectory.make() + "/trace.json"
        let run = try CommandRunner.run(CommandRunner.mpirun(2, ["bench", "--model", "fashion-cnn", "--batch-size", "8", "--steps", "2",
                                                                 "--warmup", "1", "--threads", "2", "--bucket-mb", "1", "--trace", file]),
                                        timeout: 120)
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("trace: \(file) (2 rank(s)"), "\(run)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        let events = try #require(document["traceEvents"] as? [[String: Any]])
        let spans = events.filter { $0["ph"] as? String == "X" }
        for rank in [0, 1] {
            let mine = spans.filter { $0["pid"] as? Int == rank }
            let categories = Set(mine.compactMap { $0["cat"] as? String })
            #expect(categories.isSuperset(of: ["step", "forward", "backward", "threads", "communication", "optimizer"]),
                    "rank \(rank): \(categories.sorted())")
            #expect(Set(mine.compactMap { $0["tid"] as? Int }).isSuperset(of: [0, 1, 1000]), "rank \(rank): a track per thread")
            #expect(mine.allSatisfy { ($0["ts"] as? Double).map { $0 >= 0 } ?? false && ($0["dur"] as? Double).map { $0 >= 0 } ?? false })
            #expect(events.contains { $0["ph"] as? String == "M" && $0["pid"] as? Int == rank && $0["name"] as? String == "process_name" })
        }
        let conv = try #require(spans.first { $0["name"] as? String == "conv3" && $0["cat"] as? String == "forward" })
        #expect(conv["pid"] != nil)
    }

    @Test func benchReportsTheSerialFractionOfSeveralThreads() throws {
        let arguments = [CommandRunner.cohort, "bench", "--model", "lenet5", "--batch-size", "16", "--steps", "2", "--warmup", "1", "--json"]
        let threaded = try CommandRunner.run(arguments + ["--threads", "2", "--windows", "3"], timeout: 60)
        #expect(threaded.status == 0, "\(threaded)")
        let object = try BenchCommandTests.object(threaded.output)
        let fraction = try #require(object["serial_fraction"] as? Double, "\(threaded)")
        #expect(fraction > 0 && fraction < 1)
        // It is the median window's, the window img/s comes from.
        let rank = try #require((object["per_rank"] as? [[String: Any]])?.first, "\(threaded)")
        let windows = try #require(rank["window_serial_fractions"] as? [Double], "\(threaded)")
        let speeds = try #require(rank["window_images_per_sec"] as? [Double], "\(threaded)")
        #expect(windows.count == 3 && speeds.count == 3)
        let median = try #require(speeds.indices.sorted { speeds[$0] > speeds[$1] }.dropFirst().first)
        #expect(fraction == windows[median], "serial \(fraction) is not the median window's: \(windows), img/s \(speeds)")
        let single = try CommandRunner.run(arguments + ["--threads", "1"], timeout: 60)
        #expect(try BenchCommandTests.object(single.output)["serial_fraction"] is NSNull, "\(single)")
    }
}
