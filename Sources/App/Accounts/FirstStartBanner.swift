/// What a first start shows of the `admin` it created: the one time the password is ever shown.
enum FirstStartBanner {
    static func text(password: String) -> String {
        """

        ================================================================
          Wharf created the user 'admin' with this password:

              \(password)

          It is shown only now. Change it with: wharf user passwd admin
        ================================================================

        """
    }
}
