// A tour of the book's sections 2.2–2.3 with @nabla/ndarray (run: npx -y pnpm@10 tour).
import { add, array, format, full, key, maximum, reshape, slice, str, transpose, uniform, zeros } from '@nabla/ndarray'

const show = (label, value) => console.log(`${label}\n${value}\n`)

show('> str(x)  # x <- c(12, 3, 6, 14, 10)', str(array([12, 3, 6, 14, 10]), { vector: true }))
show('> str(array(0, dim = c(2, 3, 2)))', str(zeros([2, 3, 2])))

const images = zeros([600, 28, 28], { dtype: 'uint8' })
show('> dim(images[10:99, , ])  # slice(images, [9, 99])', slice(images, [9, 99]).shape.join(' '))
show(
  '> dim(images[, 15:28, 15:28])  # slice(images, null, [14, 28], [14, 28])',
  slice(images, null, [14, 28], [14, 28]).shape.join(' '),
)

const x = array([
  [0, 1],
  [2, 3],
  [4, 5],
])
show('> array_reshape(x, c(6, 1))', format(reshape(x, [6, 1])))
show('> array_reshape(x, c(2, 3))', format(reshape(x, [2, 3])))
show('> dim(t(matrix(0, 300, 20)))', transpose(zeros([300, 20])).shape.join(' '))

const noise = uniform(key(0), [64, 3, 32, 10], { minval: 0, maxval: 9 })
const z = maximum(noise, full([32, 10], 5))
show('> dim(sweep(x, c(3, 4), y, pmax))  # maximum(x, y)', z.shape.join(' '))
show(
  '> sweep(x, 2, c(10, 20), `+`)  # add(x, array([10, 20])): the vector broadcast over the rows',
  format(add(x, array([10, 20]))),
)
