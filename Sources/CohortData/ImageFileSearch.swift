import Foundation

/// The image files named on a command line: files as given, folders searched recursively for
/// .jpg, .jpeg and .png files (any case, hidden entries skipped; depth first, entries sorted by name).
package enum ImageFileSearch {
    package static func expand(_ paths: [String]) throws -> [String] {
        try paths.flatMap { path -> [String] in
            guard FileManager.default.fileExists(atPath: path) else { throw DataError.unreadable(path: path, reason: "no such file or folder") }
            guard ImageFolderOpener.isDirectory(path) else { return [path] }
            let found = try images(under: path)
            guard !found.isEmpty else { throw DataError.badLayout(path: path, reason: "folder contains no .jpg/.jpeg/.png image") }
            return found
        }
    }

    private static func images(under dir: String) throws -> [String] {
        try ImageFolderOpener.visibleEntries(dir).flatMap { entry -> [String] in
            let path = dir + "/" + entry
            if ImageFolderOpener.isDirectory(path) { return try images(under: path) }
            return ImageFolderOpener.extensions.contains((entry as NSString).pathExtension.lowercased()) ? [path] : []
        }
    }
}
