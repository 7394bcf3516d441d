import Testing
@testable import Pyrometer

@Suite struct FunctionSelectionTests {
    let main = "/proj/app.py"

    func rules(_ functions: [String] = [], modules: [String] = []) -> ResolvedSelection {
        FunctionSelection(functions: functions, modules: modules)
            .resolve(mainFile: main, mainModule: nil, mainDirectory: "/proj")
    }

    @Test func bareNameMeansTheProgramsOwnCode() {
        let selection = rules(["Vector.dot"])
        #expect(selection.matchingRules(file: main, qualname: "Vector.dot", isFunction: true) == [0])
        #expect(selection.matchingRules(file: "/proj/lib/vec.py", qualname: "Vector.dot", isFunction: true) == [0])
        #expect(selection.matchingRules(file: "/usr/lib/python3.11/vec.py", qualname: "Vector.dot", isFunction: true) == [])
        #expect(selection.matchingRules(file: "/proj/.venv/lib/python3.11/site-packages/v.py", qualname: "Vector.dot", isFunction: true) == [])
        #expect(selection.matchingRules(file: main, qualname: "Vector.cross", isFunction: true) == [])
    }

    @Test func moduleColonFunction() {
        let selection = rules(["pkg.geometry:area"])
        #expect(selection.matchingRules(file: "/x/pkg/geometry.py", qualname: "area", isFunction: true) == [0])
        #expect(selection.matchingRules(file: "/x/pkg/geometry/__init__.py", qualname: "area", isFunction: true) == [0])
        #expect(selection.matchingRules(file: "/x/other/geometry.py", qualname: "area", isFunction: true) == [])
    }

    @Test func frozenModulesAreFoundByName() {
        let selection = rules(["posixpath:join"])
        #expect(selection.matchingRules(file: "<frozen posixpath>", qualname: "join", isFunction: true) == [0])
        #expect(selection.matchingRules(file: "<frozen ntpath>", qualname: "join", isFunction: true) == [])
    }

    @Test func dottedNameIsTriedAsModuleAndFunction() {
        let selection = rules(["json.decoder.JSONDecoder.decode"])
        #expect(selection.matchingRules(file: "/usr/lib/python3.12/json/decoder.py", qualname: "JSONDecoder.decode", isFunction: true) == [0])
    }

    @Test func aClassNameSelectsItsMethodsButNotNestedFunctions() {
        let selection = rules(["Vector"])
        #expect(selection.matchingRules(file: main, qualname: "Vector.dot", isFunction: true) == [0])
        #expect(selection.matchingRules(file: main, qualname: "Vector.dot.<locals>.helper", isFunction: true) == [])
        #expect(selection.matchingRules(file: main, qualname: "Vector", isFunction: false) == [])
    }

    @Test func moduleOptionSelectsNamedFunctionsOnly() {
        let selection = rules(modules: ["pkg.geometry"])
        #expect(selection.matchingRules(file: "/x/pkg/geometry.py", qualname: "Rect.area", isFunction: true) == [0])
        #expect(selection.matchingRules(file: "/x/pkg/geometry.py", qualname: "f.<locals>.g", isFunction: true) == [0])
        #expect(selection.matchingRules(file: "/x/pkg/geometry.py", qualname: "<lambda>", isFunction: true) == [])
        #expect(selection.matchingRules(file: "/x/pkg/geometry.py", qualname: "f.<locals>.<genexpr>", isFunction: true) == [])
        #expect(selection.matchingRules(file: "/x/pkg/geometry.py", qualname: "<module>", isFunction: false) == [])
    }

    @Test func severalRulesCanMatch() {
        let selection = rules(["area"], modules: ["/proj/app.py"])
        #expect(selection.matchingRules(file: main, qualname: "area", isFunction: true) == [0, 1])
        #expect(selection.rules.map(\.option) == ["-f area", "--module /proj/app.py"])
    }
}
