import CPython
public enum PyrometerVersion { public static let string = "0.2.0" }
