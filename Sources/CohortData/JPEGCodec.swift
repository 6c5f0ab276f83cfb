import CTurboJPEG

/// JPEG decoding and encoding through libjpeg-turbo's TurboJPEG API.
enum JPEGCodec {
    /// Decodes `bytes` to `channels` (1 gray, 3 RGB). When the image is much larger than needed, uses libjpeg-turbo's
    /// DCT scaling (1/2, 1/4, 1/8 …) to the smallest size whose shorter side is still ≥ `minimumShortSide`.
    /// Warnings (e.g. a truncated stream) are errors. Refuses images above `pixelLimit` before allocating.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, path: String, channels: Int, minimumShortSide: Int,
                       pixelLimit: Int) throws -> Raster {
        guard let handle = tjInitDecompress() else { throw DataError.badImage(path: path, reason: "cannot initialise TurboJPEG") }
        defer { tjDestroy(handle) }
        func failure(_ what: String) -> DataError {
            DataError.badImage(path: path, reason: "JPEG \(what): \(String(cString: tjGetErrorStr2(handle)))")
        }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        guard tjDecompressHeader3(handle, bytes.baseAddress, UInt(bytes.count), &width, &height, &subsampling, &colorspace) == 0 else {
            throw failure("header")
        }
        guard width > 0, height > 0 else { throw DataError.badImage(path: path, reason: "JPEG header claims \(width)x\(height)") }
        guard Int(width) * Int(height) <= pixelLimit else {
            throw DataError.imageTooLarge(path: path, width: Int(width), height: Int(height), limit: pixelLimit)
        }
        let (w, h) = scaledSize(width: Int(width), height: Int(height), minimumShortSide: minimumShortSide)
        var pixels = [UInt8](repeating: 0, count: w * h * channels)
        let format = channels == 1 ? TJPF_GRAY : TJPF_RGB
        let rc = pixels.withUnsafeMutableBufferPointer {
            tjDecompress2(handle, bytes.baseAddress, UInt(bytes.count), $0.baseAddress, Int32(w), 0, Int32(h),
                          Int32(format.rawValue), TJFLAG_STOPONWARNING)
        }
        guard rc == 0 else { throw failure("data") }
        return Raster(width: w, height: h, channels: channels, pixels: pixels)
    }

    /// The image size in the header.
    static func dimensions(_ bytes: UnsafeBufferPointer<UInt8>, path: String) throws -> (width: Int, height: Int) {
        guard let handle = tjInitDecompress() else { throw DataError.badImage(path: path, reason: "cannot initialise TurboJPEG") }
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        guard tjDecompressHeader3(handle, bytes.baseAddress, UInt(bytes.count), &width, &height, &subsampling, &colorspace) == 0 else {
            throw DataError.badImage(path: path, reason: "JPEG header: \(String(cString: tjGetErrorStr2(handle)))")
        }
        return (Int(width), Int(height))
    }

    /// The smallest TurboJPEG scaled size (scale ≤ 1) whose shorter side is at least `minimumShortSide`.
    static func scaledSize(width: Int, height: Int, minimumShortSide: Int) -> (Int, Int) {
        var count: Int32 = 0
        guard let factors = tjGetScalingFactors(&count), minimumShortSide > 0 else { return (width, height) }
        var best = (width, height)
        for i in 0..<Int(count) {
            let f = factors[i]
            guard f.num < f.denom else { continue }
            let n = Int(f.num), d = Int(f.denom)
            let w = (width * n + d - 1) / d, h = (height * n + d - 1) / d
            if min(w, h) >= minimumShortSide && w * h < best.0 * best.1 { best = (w, h) }
        }
        return best
    }

    /// Encodes an 8-bit raster (1 or 3 channels) at `quality` 1…100 (4:2:0 for colour).
    static func encode(_ raster: Raster, quality: Int) throws -> [UInt8] {
        guard let handle = tjInitCompress() else { throw DataError.invalidOption("cannot initialise TurboJPEG compressor") }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let gray = raster.channels == 1
        let rc = raster.pixels.withUnsafeBufferPointer {
            tjCompress2(handle, $0.baseAddress, Int32(raster.width), 0, Int32(raster.height),
                        Int32((gray ? TJPF_GRAY : TJPF_RGB).rawValue), &output, &size,
                        Int32((gray ? TJSAMP_GRAY : TJSAMP_420).rawValue), Int32(quality), 0)
        }
        defer { if let output { tjFree(output) } }
        guard rc == 0, let output else {
            throw DataError.invalidOption("JPEG encoding failed: \(String(cString: tjGetErrorStr2(handle)))")
        }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }
}
