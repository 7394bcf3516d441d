"""Four threads run the same decorated function; every thread's lines count."""
import threading


@profile
def work(n):
    total = 0
    for i in range(n):  # thread-for
        total += i  # thread-body
    return total


def main():
    threads = [threading.Thread(target=work, args=(100,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    work(10)


class Worker(threading.Thread):
    @profile
    def run(self):
        self.result = sum(range(10))  # run-body


if __name__ == "__main__":
    main()
    worker = Worker()
    worker.start()
    worker.join()
