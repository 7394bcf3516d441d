import CPython
public enum PyrometerVersion { public static let string = "0.1.0" }
