import CohortCore
import Testing

@Suite struct LoadTimeSettingsTests {
    @Test func unsetVariablesAreChosen() {
        let chosen = LoadTimeSettings.settings(environment: { _ in nil }, detectedCore: "Prescott", vectorLevel: 1)
        #expect(chosen.map(\.name) == ["OPENBLAS_CORETYPE", "OPENBLAS_THREAD_TIMEOUT", "GLIBC_TUNABLES"])
        #expect(chosen.map(\.value) == ["Haswell", LoadTimeSettings.threadTimeout, LoadTimeSettings.mallocTunables])
        #expect(LoadTimeSettings.settings(environment: { _ in nil }, detectedCore: "Haswell", vectorLevel: 1).map(\.name)
                == ["OPENBLAS_THREAD_TIMEOUT", "GLIBC_TUNABLES"])
    }

    @Test func theUsersSettingsWin() {
        let user = ["OPENBLAS_CORETYPE": "Prescott", "OPENBLAS_THREAD_TIMEOUT": "28", "GLIBC_TUNABLES": "glibc.malloc.hugetlb=0"]
        #expect(LoadTimeSettings.settings(environment: { user[$0] }, detectedCore: "Prescott", vectorLevel: 2).isEmpty)
    }
}
