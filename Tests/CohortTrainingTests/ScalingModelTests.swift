import CohortTraining
import Testing

/// The scaling simulator's arithmetic, by hand.
@Suite struct ScalingModelTests {
    /// 100 ms forward, 200 ms backward, 10 ms optimizer, 32 images, 100 MB of gradient on 8 Gbit/s (1 GB/s), no latency.
    let model = ScalingModel(forwardMilliseconds: 100, backwardMilliseconds: 200, optimizerMilliseconds: 10, imagesPerNode: 32,
                             gradientBytes: 100e6, bitsPerSecond: 8e9, hopLatency: 0)

    @Test func ringAllreduceMovesTwiceTheShareOfEachNode() {
        #expect(model.allreduceMilliseconds(nodes: 1, compressed: false) == 0)
        #expect(abs(model.allreduceMilliseconds(nodes: 2, compressed: false) - 100) < 1e-9)       // 2·½·100 MB at 1 GB/s
        #expect(abs(model.allreduceMilliseconds(nodes: 4, compressed: false) - 150) < 1e-9)       // 2·¾
        #expect(abs(model.allreduceMilliseconds(nodes: 4, compressed: true) - 75) < 1e-9)         // half the bytes
        var withLatency = model
        withLatency.hopLatency = 1e-3
        #expect(abs(withLatency.allreduceMilliseconds(nodes: 4, compressed: false) - 156) < 1e-9) // + 6 hops of 1 ms
    }

    @Test func overlapHidesCommunicationUpToBackward() {
        let hidden = model.predict(nodes: 4, overlap: true, compressed: false)         // 150 ms < 200 ms backward
        #expect(hidden.stepMilliseconds == 310 && hidden.efficiency == 1)
        #expect(abs(hidden.imagesPerSecond - 4 * 32 / 0.31) < 1e-9)
        let serial = model.predict(nodes: 4, overlap: false, compressed: false)
        #expect(serial.stepMilliseconds == 460 && abs(serial.efficiency - 310.0 / 460) < 1e-12)
        var slow = model
        slow.bitsPerSecond = 8e8                                                          // 1500 ms allreduce at 4 nodes
        #expect(slow.predict(nodes: 4, overlap: true, compressed: false).stepMilliseconds == 1610)
        #expect(slow.stopsScaling(at: [2, 4, 8], overlap: true, compressed: false) == 2)  // 1000 ms at 2: 310/1110
        #expect(model.stopsScaling(at: [2, 4, 8], overlap: true, compressed: false) == nil)
    }

    @Test func linkRatesParse() {
        #expect(ScalingModel.bitsPerSecond("100mbit") == 1e8)
        #expect(ScalingModel.bitsPerSecond("10Gbit") == 1e10)
        #expect(ScalingModel.bitsPerSecond("52mbit") == 52e6)
        #expect(ScalingModel.bitsPerSecond("1000") == 1000)
        #expect(ScalingModel.bitsPerSecond("fast") == nil && ScalingModel.bitsPerSecond("-1gbit") == nil)
    }
}
