/// The shape of one image sample as the model sees it: channels × height × width (CHW, float32).
package struct ImageShape: Hashable, Sendable, CustomStringConvertible {
    package var channels: Int
    package var height: Int
    package var width: Int

    package init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Number of floats in one sample: C·H·W.
    package var count: Int { channels * height * width }

    /// `CxHxW`, the form `--input` uses.
    package var description: String { "\(channels)x\(height)x\(width)" }
}
