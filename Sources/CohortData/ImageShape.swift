/// The shape of one image sample as the model sees it: channels × height × width (CHW, float32).
public struct ImageShape: Hashable, Sendable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Number of floats in one sample: C·H·W.
    public var count: Int { channels * height * width }

    /// `CxHxW`, the form `--input` uses.
    public var description: String { "\(channels)x\(height)x\(width)" }
}
