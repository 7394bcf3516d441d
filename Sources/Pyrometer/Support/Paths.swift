import Foundation

public enum Paths {
    /// An absolute, symlink-free form of `path` (relative paths are taken from the
    /// working directory). Pseudo-files such as `<string>` are returned unchanged.
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("<") { return path }
        let joined = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        if let resolved = realpath(joined, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        return (joined as NSString).standardizingPath
    }

    /// `path` made absolute against the working directory now (before the
    /// program runs and perhaps changes it).
    public static func absoluteAtStart(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// Throws a one-line error unless `path` can be created or overwritten, so a
    /// bad `-o` is refused before the program runs rather than after.
    public static func checkWritable(_ path: String) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue || !manager.isWritableFile(atPath: path) {
                throw PyrometerError("cannot write '\(path)': \(isDirectory.boolValue ? "it is a directory" : "permission denied")")
            }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        let folder = parent.isEmpty ? "." : parent
        guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PyrometerError("cannot write '\(path)': no such directory '\(folder)'")
        }
        guard manager.isWritableFile(atPath: folder) else {
            throw PyrometerError("cannot write '\(path)': directory '\(folder)' is not writable")
        }
    }
}
